package llm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/embedtest"
)

func TestEmbed(t *testing.T) {
	t.Parallel()
	many := make([]string, llm.MaxEmbedBatch+3)
	for i := range many {
		many[i] = fmt.Sprintf("text number %d", i)
	}
	cases := []struct {
		name     string
		texts    []string
		fail     int
		base64   bool
		requests int
		wantErr  bool
	}{
		{name: "one batch", texts: []string{"a dwarf smith", "an elven bard"}, requests: 1},
		{name: "split into batches", texts: many, requests: 2},
		{name: "base64 answer", texts: []string{"a dwarf smith"}, base64: true, requests: 1},
		{name: "retried after 503", texts: []string{"a dwarf smith"}, fail: 2, requests: 1},
		{name: "gives up after the retries", texts: []string{"a dwarf smith"}, fail: 10, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := embedtest.Start(t)
			srv.FailNext(tc.fail)
			srv.Base64(tc.base64)
			c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "bow", MaxRetries: 3, RequestTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			vecs, err := c.Embed(context.Background(), "camp", tc.texts)
			if tc.wantErr {
				var ae *llm.APIError
				if !errors.As(err, &ae) || ae.Status != 503 {
					t.Fatalf("err = %v, want the 503", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(vecs) != len(tc.texts) {
				t.Fatalf("got %d vectors for %d texts", len(vecs), len(tc.texts))
			}
			for i, v := range vecs {
				want := embedtest.Vector(tc.texts[i], embedtest.Dims)
				for k := range want {
					if v[k] != want[k] {
						t.Fatalf("vector %d differs at %d: %v, want %v (matched by index?)", i, k, v[k], want[k])
					}
				}
			}
			if got := len(srv.Requests()); got != tc.requests {
				t.Errorf("%d requests answered, want %d", got, tc.requests)
			}
			if u := c.Usage("camp"); u.Calls != int64(tc.requests) || u.PromptTokens == 0 {
				t.Errorf("usage = %+v", u)
			}
		})
	}
}

// TestEmbedSpent: an embeddings call made for a campaign tells Spent its
// tokens (estimated when the server reports none), as a chat call does.
func TestEmbedSpent(t *testing.T) {
	t.Parallel()
	srv := embedtest.Start(t)
	var told []llm.Usage
	c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "bow", MaxRetries: -1,
		Spent: func(_ context.Context, campaign string, u llm.Usage) {
			if campaign != "camp" {
				t.Errorf("Spent told of campaign %q", campaign)
			}
			told = append(told, u)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Embed(context.Background(), "camp", []string{"a dwarf smith", "an elven bard"}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || told[0].PromptTokens <= 0 || told[0] != c.Usage("camp") {
		t.Errorf("Spent heard %+v, want one call with the tokens of %+v", told, c.Usage("camp"))
	}
}
