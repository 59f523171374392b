package store

import (
	"context"
	"database/sql"
)

type Order struct {
	ID       int64
	Customer string
	Total    float64
}

type Orders struct{ db *sql.DB }

func New(db *sql.DB) *Orders { return &Orders{db: db} }

func (o *Orders) List(ctx context.Context, customer string) ([]Order, error) {
	rows, err := o.db.QueryContext(ctx, "SELECT id, customer, total FROM orders WHERE customer = $1", customer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var ord Order
		if err := rows.Scan(&ord.ID, &ord.Customer, &ord.Total); err != nil {
			return nil, err
		}
		out = append(out, ord)
	}
	return out, rows.Err()
}
