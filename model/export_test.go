package model

// SetShiVizBudget lowers the memory a ShiViz export may use, for a test.
func SetShiVizBudget(z *ShiVizWriter, bytes int64) { z.budget = bytes }
