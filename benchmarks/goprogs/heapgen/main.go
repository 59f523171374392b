// heapgen writes two heap profiles of the same process, -base and -cur, with
// many distinct allocation stacks (a binary tree of two call sites, 2^depth
// leaves) and every allocation recorded (MemProfileRate=1).  Between the two
// profiles one branch of the tree keeps allocating, as a leak would.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

var kept [][]byte

//go:noinline
func left(depth int, path uint64, size int) { walk(depth, path<<1, size) }

//go:noinline
func right(depth int, path uint64, size int) { walk(depth, path<<1|1, size) }

//go:noinline
func walk(depth int, path uint64, size int) {
	if depth == 0 {
		kept = append(kept, make([]byte, size+int(path%7)*8))
		return
	}
	left(depth-1, path, size)
	right(depth-1, path, size)
}

//go:noinline
func grow(depth int, path uint64, size int) {
	if depth == 0 {
		kept = append(kept, make([]byte, size))
		return
	}
	if path&1 == 0 {
		left(depth-1, path, size)
	} else {
		right(depth-1, path, size)
	}
}

func write(name string) {
	runtime.GC()
	f, err := os.Create(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}

func main() {
	runtime.MemProfileRate = 1
	depth := flag.Int("depth", 17, "tree depth: 2^depth distinct stacks")
	base := flag.String("base", "base.pb.gz", "first profile")
	cur := flag.String("cur", "cur.pb.gz", "second profile")
	flag.Parse()
	walk(*depth, 1, 32)
	write(*base)
	walk(*depth-2, 1, 48) // a quarter of the stacks grow
	write(*cur)
}
