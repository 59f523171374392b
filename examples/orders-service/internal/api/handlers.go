package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"example.com/orders-service/internal/store"
	"example.com/orders-service/internal/upstream"
)

type Handler struct {
	orders  *store.Orders
	pricing *upstream.PricingClient
}

func NewHandler(o *store.Orders, p *upstream.PricingClient) *Handler {
	return &Handler{orders: o, pricing: p}
}

func (h *Handler) ListOrders(w http.ResponseWriter, r *http.Request) {
	list, err := h.orders.List(r.Context(), r.URL.Query().Get("customer"))
	if err != nil {
		http.Error(w, "cannot list orders", http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(list)
}

func (h *Handler) Quote(w http.ResponseWriter, r *http.Request) {
	price, err := h.pricing.Quote(r.Context(), r.URL.Query().Get("sku"))
	if err != nil {
		http.Error(w, "pricing unavailable", http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(map[string]float64{"price": price})
}

// Export streams every order; slow exports are cut off after two seconds.
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) {
	result := make(chan []store.Order)
	go func() {
		list, _ := h.orders.List(context.Background(), "")
		result <- list
	}()
	select {
	case list := <-result:
		json.NewEncoder(w).Encode(list)
	case <-time.After(2 * time.Second):
		http.Error(w, "export timed out", http.StatusGatewayTimeout)
	}
}
