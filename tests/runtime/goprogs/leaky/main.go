// leaky is a small web service with the goroutine and memory leaks steadygo's
// runtime analysers must recognise.  Tests build it, drive it on 127.0.0.1 and
// pull real dumps, profiles, gctrace and expvar output from it.
package main

import (
	"bytes"
	"expvar"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// cache is the package-level map that only ever grows.
var (
	cacheMu sync.Mutex
	cache   = map[string][]byte{}
)

var served = expvar.NewInt("served")

// slowLookup stands in for a backend call that is slower than the caller's
// patience.
func slowLookup(id int) string {
	time.Sleep(50 * time.Millisecond)
	return strconv.Itoa(id)
}

// exportHandler leaks one goroutine per request: the result channel is
// unbuffered, the handler gives up after a short timeout, and the worker then
// blocks forever on the send.
func exportHandler(w http.ResponseWriter, r *http.Request) {
	result := make(chan string)
	go func() {
		result <- slowLookup(1)
	}()
	select {
	case v := <-result:
		fmt.Fprintln(w, v)
	case <-time.After(5 * time.Millisecond):
		http.Error(w, "timeout", http.StatusGatewayTimeout)
	}
	served.Add(1)
}

// subscribeHandler starts a listener that waits on a channel nobody will ever
// close or send on.
func subscribeHandler(w http.ResponseWriter, r *http.Request) {
	events := make(chan int)
	go waitForEvents(events)
	fmt.Fprintln(w, "subscribed")
	served.Add(1)
}

func waitForEvents(events chan int) {
	for ev := range events {
		_ = ev
	}
}

// pollHandler starts a ticker loop with no way to stop it.
func pollHandler(w http.ResponseWriter, r *http.Request) {
	go pollForever()
	fmt.Fprintln(w, "polling")
	served.Add(1)
}

func pollForever() {
	t := time.NewTicker(time.Hour)
	for range t.C {
		runtime.Gosched()
	}
}

// storeHandler inserts into the package-level map and never evicts.
func storeHandler(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if n <= 0 {
		n = 1
	}
	cacheMu.Lock()
	for i := 0; i < n; i++ {
		remember(len(cache))
	}
	size := len(cache)
	cacheMu.Unlock()
	fmt.Fprintln(w, size)
	served.Add(1)
}

func remember(k int) {
	cache["key-"+strconv.Itoa(k)] = make([]byte, 64<<10)
}

// lockHandler parks a goroutine on a mutex that is never unlocked and one on
// a condition variable that is never signalled.
var (
	stuckMu   sync.Mutex
	stuckOnce sync.Once
	condMu    sync.Mutex
	cond      = sync.NewCond(&condMu)
)

func lockHandler(w http.ResponseWriter, r *http.Request) {
	stuckOnce.Do(func() { stuckMu.Lock() })
	go func() {
		stuckMu.Lock()
		stuckMu.Unlock()
	}()
	go func() {
		condMu.Lock()
		cond.Wait()
		condMu.Unlock()
	}()
	fmt.Fprintln(w, "locked")
}

// selectHandler starts goroutines parked in a select nobody will complete
// and in an empty select.
func selectHandler(w http.ResponseWriter, r *http.Request) {
	a, b := make(chan int), make(chan int)
	go func() {
		select {
		case <-a:
		case <-b:
		}
	}()
	go func() { select {} }()
	fmt.Fprintln(w, "selecting")
}

// silent accepts connections and never answers, like a hung backend.
var silent net.Listener

// outboundHandler calls the silent backend without a deadline; the caller
// goroutine waits in IO wait until the process dies.
func outboundHandler(w http.ResponseWriter, r *http.Request) {
	go callBackend()
	fmt.Fprintln(w, "calling")
}

func callBackend() {
	c, err := net.Dial("tcp", silent.Addr().String())
	if err != nil {
		return
	}
	buf := make([]byte, 1)
	c.Read(buf)
}

// retainHandler reads the whole request body and keeps a 16-byte prefix of
// it: the sub-slice keeps the entire read buffer alive.
var prefixes [][]byte

func retainHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || len(body) < 16 {
		http.Error(w, "short body", http.StatusBadRequest)
		return
	}
	cacheMu.Lock()
	prefixes = append(prefixes, body[:16])
	cacheMu.Unlock()
	fmt.Fprintln(w, len(body))
}

// bufferHandler builds a large response in a bytes.Buffer and keeps the
// buffer around after use.
var buffers []*bytes.Buffer

func bufferHandler(w http.ResponseWriter, r *http.Request) {
	kb, _ := strconv.Atoi(r.URL.Query().Get("kb"))
	chunk := make([]byte, 1024)
	b := new(bytes.Buffer)
	for i := 0; i < kb; i++ {
		b.Write(chunk)
	}
	cacheMu.Lock()
	buffers = append(buffers, b)
	cacheMu.Unlock()
	fmt.Fprintln(w, b.Len())
}

// gcHandler forces a collection so gctrace shows "(forced)" cycles.
func gcHandler(w http.ResponseWriter, r *http.Request) {
	runtime.GC()
	fmt.Fprintln(w, "gc")
}

func init() {
	// Record every allocation so heap profiles are exact, not sampled: the
	// tests compare byte counts.
	runtime.MemProfileRate = 1
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	http.HandleFunc("/export", exportHandler)
	http.HandleFunc("/subscribe", subscribeHandler)
	http.HandleFunc("/poll", pollHandler)
	http.HandleFunc("/store", storeHandler)
	http.HandleFunc("/gc", gcHandler)
	http.HandleFunc("/lock", lockHandler)
	http.HandleFunc("/select", selectHandler)
	http.HandleFunc("/outbound", outboundHandler)
	http.HandleFunc("/retain", retainHandler)
	http.HandleFunc("/buffer", bufferHandler)
	var err error
	silent, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		var held []net.Conn
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The test reads the chosen port from the first line of stdout.
	fmt.Println(ln.Addr().String())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
