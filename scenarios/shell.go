package scenarios

import "strings"

// ShellQuote returns s as one word of a POSIX shell command line, so that a
// replay line naming a scenario file replays when pasted into sh whatever
// the file is called. A word made only of characters the shell takes
// literally is returned as it is (the replay lines of ordinary paths stay
// as readable as before); any other is put in single quotes, inside which
// sh gives no character a meaning, and each single quote of s becomes
//
//	'\''
//
// which ends the quotes, adds an escaped quote and opens them again.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, shellPlain) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellPlain is the characters that mean nothing to sh anywhere in a word.
// '=' and '~' are left out: in the first word or at the start of a word
// they mean an assignment or a home directory.
const shellPlain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./,:+@%"
