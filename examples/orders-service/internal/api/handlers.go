package api

import (
	"encoding/json"
	"net/http"

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
