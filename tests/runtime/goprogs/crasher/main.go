// crasher ends badly on purpose, so tests read real crash output:
//
//	-mode panic: an unrecovered panic while other goroutines are parked
//	(run with GOTRACEBACK=all to get every goroutine);
//	-mode repanic: a deferred function recovers and panics again;
//	-mode goexit: main calls runtime.Goexit with nothing else alive, the
//	"no goroutines" fatal error;
//	-mode race: an unsynchronised counter (build with -race).
package main

import (
	"flag"
	"fmt"
	"runtime"
	"time"
)

var counter int

func parked(ch chan int) {
	<-ch
}

func main() {
	mode := flag.String("mode", "panic", "panic, goexit or race")
	flag.Parse()
	switch *mode {
	case "panic":
		ch := make(chan int)
		for i := 0; i < 3; i++ {
			go parked(ch)
		}
		time.Sleep(20 * time.Millisecond)
		var m map[string]int
		m["boom"] = 1
	case "repanic":
		defer func() {
			recover()
			panic("second failure")
		}()
		panic("first failure")
	case "goexit":
		runtime.Goexit()
	case "race":
		done := make(chan bool)
		go func() {
			counter++
			done <- true
		}()
		counter++
		<-done
		fmt.Println(counter)
	}
}
