package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"
)

// msg16 is a message of 16 bytes, as the model's is.
type msg16 struct{ value, more int64 }

func (msg16) Kind() string               { return "m" }
func (msg16) AppendJSON(b []byte) []byte { return b }

// TestEventIsOneLine: an event carrying a message of 16 bytes takes 64,
// one line of memory, so that writing it to the calendar's log and reading
// it back touches one line, not two (see event). A field added to event
// must fit in its padding, or pay for the line it adds.
func TestEventIsOneLine(t *testing.T) {
	if n := unsafe.Sizeof(event[msg16]{}); n != 64 {
		t.Errorf("an event with a 16-byte message takes %d bytes, want 64", n)
	}
}

// queueMsg is a message for queue tests, which look at keys only.
type queueMsg struct{}

func (queueMsg) Kind() string               { return "m" }
func (queueMsg) AppendJSON(b []byte) []byte { return b }

// TestQueueOrder drives the queue with random pushes (with and without a
// calendar, near and beyond its ring), timers (some with the delays that
// get lanes, some not) and cancellations, popping as the engine does, and checks it against a plain list: it must pop exactly the
// live events, in (time, sequence) order, and len and peekTime must agree.
func TestQueueOrder(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		var q queue[queueMsg]
		if seed%2 == 1 {
			q.cal.width = []time.Duration{100, 3000, 1e6}[seed/2%3]
		}
		type ref struct {
			at  Time
			seq uint64
			id  TimerID
			tmr bool
		}
		var live []ref
		var ids []TimerID
		var now Time
		var seq uint64
		delays := []time.Duration{1000, 50, 7, 0, 3000, 12}
		for step := range 40000 {
			op := r.IntN(10)
			if step < 10000 && op >= 8 {
				op = r.IntN(3) // fill the queue first, for the calendar to start
			}
			switch {
			case op < 3:
				seq++
				at := now + Time(r.IntN([]int{100, 100, 3000, 10000}[r.IntN(4)]))
				q.push(event[queueMsg]{at: at, seq: seq})
				live = append(live, ref{at, seq, 0, false})
			case op < 6:
				seq++
				d := delays[r.IntN(len(delays))]
				if r.IntN(4) == 0 {
					d = time.Duration(r.IntN(2000))
				}
				slot, id := q.newTimer()
				q.put(slot, d, event[queueMsg]{at: now.Add(d), seq: seq})
				live = append(live, ref{now.Add(d), seq, id, true})
				ids = append(ids, id)
			case op < 8 && len(ids) > 0:
				k := r.IntN(len(ids))
				id := ids[k]
				q.cancel(id)
				for i, x := range live {
					if x.tmr && x.id == id {
						live = append(live[:i], live[i+1:]...)
						break
					}
				}
				if r.IntN(2) == 0 { // keep some stale IDs around
					ids = append(ids[:k], ids[k+1:]...)
				}
			default:
				if len(live) == 0 {
					continue
				}
				best := 0
				for i, x := range live {
					if x.at < live[best].at || x.at == live[best].at && x.seq < live[best].seq {
						best = i
					}
				}
				want := live[best]
				if got := q.peekTime(); got != want.at {
					t.Fatalf("seed %d step %d: peekTime %v, want %v", seed, step, got, want.at)
				}
				ev := q.pop()
				if ev.at != want.at || ev.seq != want.seq {
					t.Fatalf("seed %d step %d: popped (%v, %d), want (%v, %d)", seed, step, ev.at, ev.seq, want.at, want.seq)
				}
				live = append(live[:best], live[best+1:]...)
				now = ev.at
			}
			if step == 39999 && seed%2 == 1 && q.cal.buckets == nil {
				t.Errorf("seed %d: the calendar never started", seed)
			}
			if q.len() != len(live) {
				t.Fatalf("seed %d step %d: len %d, want %d", seed, step, q.len(), len(live))
			}
		}
	}
}

// TestQueueLateArrivalInRunBucket covers an event that falls due within
// the bucket the run holds, pushed after the calendar emptied and time
// moved on to an earlier timer: it must go where it is merged with the
// run, not to the calendar, which would hold it back until the run is
// spent and so pop it after later events.
func TestQueueLateArrivalInRunBucket(t *testing.T) {
	var q queue[queueMsg]
	q.cal.width = 1e6 // buckets of 1,024 ns
	var seq uint64
	push := func(at Time) {
		seq++
		q.push(event[queueMsg]{at: at, seq: seq})
	}
	// Fill the heap for the calendar to start, with events far ahead.
	for range calendarFrom {
		push(1e9)
	}
	push(2048 + 100) // bucket 2, in the calendar
	push(2048 + 900)
	seq++
	slot, _ := q.newTimer()
	q.put(slot, 1500, event[queueMsg]{at: 1500, seq: seq}) // bucket 1
	if q.cal.n != 2 {
		t.Fatalf("the calendar holds %d events, want 2", q.cal.n)
	}
	if ev := q.pop(); ev.at != 1500 {
		t.Fatalf("popped %v first, want the timer at 1.5µs", ev.at)
	}
	push(2048 + 500) // within the run's bucket, between its two events
	for _, want := range []Time{2048 + 100, 2048 + 500, 2048 + 900} {
		if ev := q.pop(); ev.at != want {
			t.Fatalf("popped %v, want %v", ev.at, want)
		}
	}
}

// TestSortByTime checks the radix sort of a bucket's keys against a
// stable comparison sort, for widths that are and are not whole digits,
// with times drawn from few values (many ties) and from many.
func TestSortByTime(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var spare []uint64
	for _, width := range []uint{0, 1, 7, 8, 9, 14, 16, 23, 32} {
		for _, n := range []int{0, 1, 2, 3, 300, 5000} {
			for _, span := range []uint64{1, min(3, uint64(1)<<width), uint64(1) << width} {
				keys := make([]uint64, n)
				for i := range keys {
					keys[i] = r.Uint64N(span)<<32 | uint64(i)
				}
				want := slices.Clone(keys)
				slices.SortStableFunc(want, func(a, b uint64) int { return cmp.Compare(a>>32, b>>32) })
				var got []uint64
				got, spare = sortByTime(keys, spare, width)
				if !slices.Equal(got, want) {
					t.Fatalf("width %d, %d keys, times below %d: sorted wrong", width, n, span)
				}
			}
		}
	}
}
