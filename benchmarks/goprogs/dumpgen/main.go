// dumpgen parks -n goroutines in 50 distinct stacks (10 leaf functions x 5
// call depths) and writes a debug=2 goroutine dump to -o, the same way
// /debug/pprof/goroutine?debug=2 does (so the runtime's 64 MiB cap applies).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// Separate channels for receivers and senders, so no pair ever completes.
var (
	recv = make(chan int)
	send = make(chan int)
	mu   sync.Mutex
)

func leaf0(id, depth int) { <-recv }
func leaf1(id, depth int) { send <- id }
func leaf2(id, depth int) {
	select {
	case <-recv:
	case send <- id:
	}
}
func leaf3(id, depth int) { mu.Lock(); mu.Unlock() }
func leaf4(id, depth int) { <-recv }
func leaf5(id, depth int) { send <- id }
func leaf6(id, depth int) { <-recv }
func leaf7(id, depth int) { send <- id }
func leaf8(id, depth int) {
	select {
	case <-recv:
	case <-time.After(time.Hour):
	}
}
func leaf9(id, depth int) { <-recv }

var leaves = []func(int, int){leaf0, leaf1, leaf2, leaf3, leaf4, leaf5, leaf6, leaf7, leaf8, leaf9}

//go:noinline
func descend(id, depth, leaf int, started *sync.WaitGroup) {
	if depth == 0 {
		started.Done()
		leaves[leaf](id, depth)
		return
	}
	descend(id, depth-1, leaf, started)
}

func main() {
	n := flag.Int("n", 100000, "goroutines")
	out := flag.String("o", "dump.txt", "output file")
	flag.Parse()
	mu.Lock() // leaf3 waits on it forever
	var started sync.WaitGroup
	started.Add(*n)
	for i := 0; i < *n; i++ {
		go descend(i, 1+i%5, (i/5)%10, &started)
	}
	started.Wait()
	runtime.Gosched()
	time.Sleep(100 * time.Millisecond)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}
