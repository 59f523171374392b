// gcload produces real gctrace output for two situations steadygo judges:
//
//	-mode thrash: the live heap sits just under GOMEMLIMIT (run it with
//	GOGC=off GOMEMLIMIT=...) while requests churn garbage, so the GC runs
//	back to back;
//	-mode grow: a package-level slice keeps every chunk, so the live heap
//	after each GC only rises.
//
// It stops by itself after -dur.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

var (
	retained [][]byte
	sink     []byte
)

func main() {
	mode := flag.String("mode", "thrash", "thrash or grow")
	live := flag.Int("live-mb", 40, "live heap to hold in thrash mode")
	dur := flag.Duration("dur", 1500*time.Millisecond, "how long to run")
	flag.Parse()
	deadline := time.Now().Add(*dur)
	switch *mode {
	case "thrash":
		for i := 0; i < *live; i++ {
			retained = append(retained, make([]byte, 1<<20))
		}
		for time.Now().Before(deadline) {
			sink = make([]byte, 64<<10)
		}
	case "grow":
		for time.Now().Before(deadline) {
			retained = append(retained, make([]byte, 256<<10))
			for j := 0; j < 16; j++ {
				sink = make([]byte, 64<<10)
			}
			time.Sleep(2 * time.Millisecond)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown mode")
		os.Exit(2)
	}
	fmt.Println(len(retained), len(sink))
}
