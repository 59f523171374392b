// Command orders serves the order API.  It "works" locally; steadygo shows
// where it will break in production.
package main

import (
	"database/sql"
	"log"
	"net/http"
	"os"
	"time"

	_ "github.com/lib/pq"

	"example.com/orders-service/internal/api"
	"example.com/orders-service/internal/store"
	"example.com/orders-service/internal/upstream"
)

func main() {
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	orders := store.New(db)
	pricing := upstream.NewPricingClient(os.Getenv("PRICING_URL"))
	h := api.NewHandler(orders, pricing)

	mux := http.NewServeMux()
	mux.HandleFunc("/orders", h.ListOrders)
	mux.HandleFunc("/orders/quote", h.Quote)
	mux.HandleFunc("/orders/export", h.Export)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

	// Admin endpoints on a second port: no timeouts at all.
	go http.ListenAndServe(":9090", adminMux())

	srv := &http.Server{
		Addr:         ":8080",
		Handler:      mux,
		WriteTimeout: 10 * time.Second,
	}
	log.Fatal(srv.ListenAndServe())
}

func adminMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/admin/reindex", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get("http://search.internal/reindex")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
	})
	return m
}
