// drainleak drains like liveok (readiness 503 on SIGTERM, a drain delay,
// then Shutdown with a deadline, exit 0) but every /work request leaves a
// goroutine parked behind it, so goroutines are still running when it
// exits: the case `steadygo shutdown-test --pprof-url` measures (SG985).
// pprof is served on -admin only.
//
// Flags: -addr, -admin (both default 127.0.0.1:0). The first stdout line is
// the public address, the second the admin address.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "public listen address")
	admin := flag.String("admin", "127.0.0.1:0", "admin (pprof) listen address")
	flag.Parse()

	var ready atomic.Bool
	parked := make(chan struct{}) // never closed: what the leaked goroutines wait on
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		go func() { <-parked }()
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintln(w, "done")
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	aln, err := net.Listen("tcp", *admin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	fmt.Println(aln.Addr().String())
	os.Stdout.Sync()

	amux := http.NewServeMux()
	amux.HandleFunc("/debug/pprof/", pprof.Index)
	go (&http.Server{Handler: amux, ReadHeaderTimeout: 2 * time.Second}).Serve(aln)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 2 * time.Second, WriteTimeout: 8 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	ready.Store(true)
	go srv.Serve(ln)

	<-stop
	ready.Store(false)
	time.Sleep(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
