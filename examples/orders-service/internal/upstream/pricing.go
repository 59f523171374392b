package upstream

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// PricingClient calls the pricing service.
type PricingClient struct {
	base   string
	client *http.Client
}

func NewPricingClient(base string) *PricingClient {
	return &PricingClient{
		base: base,
		client: &http.Client{
			Transport: &http.Transport{MaxIdleConns: 100},
		},
	}
}

func (p *PricingClient) Quote(ctx context.Context, sku string) (float64, error) {
	req, err := http.NewRequest(http.MethodGet, p.base+"/quote?sku="+url.QueryEscape(sku), nil)
	if err != nil {
		return 0, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct{ Price float64 }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	return body.Price, nil
}
