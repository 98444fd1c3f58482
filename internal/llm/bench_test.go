package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/gmc-project/gmc/internal/bench/overhead"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/gmc-project/gmc/internal/llm/llmtest"
)

// BenchmarkOverhead times, on the same canned answer from the loopback
// server, a raw HTTP call (post the request, read the body) and
// Complete[NPC] (build the request, call, decode, validate, unmarshal),
// alternately, and reports the p50 and p99 of their difference: the cost
// the client adds over the server call.
func BenchmarkOverhead(b *testing.B) {
	srv := llmtest.New(b)
	answer, _ := json.Marshal(NPC{
		Name: "Mirela Saltwhistle", Ancestry: "half-elf", Occupation: "smuggler and net-mender",
		Appearance:  "Weathered hands, a silver ring on every finger, and a coat that smells of tar.",
		Personality: "Laughs at danger and counts every coin twice.", Ideal: "Freedom from the harbour tax.",
		Bond: "Her brother rots in the Saltmarsh gaol.", Flaw: "Cannot resist a wager.",
		Motivation: "Buy her brother's release before the winter storms.", Secret: "She informs for the Drowned King.",
		VoiceNotes: "Low and quick, drops her g's, taps the table when lying.", Attitude: "indifferent",
	})
	srv.Always(llmtest.Reply{Content: string(answer)})
	srv.ForgetRequests()
	c, err := New(Config{BaseURL: srv.URL, Model: srv.Model, Concurrency: 1})
	if err != nil {
		b.Fatal(err)
	}
	p, err := Render("npc", samplePromptData())
	if err != nil {
		b.Fatal(err)
	}
	e := schemaOf(reflect.TypeFor[NPC]())
	body, _ := json.Marshal(&chatRequest{
		Model: srv.Model, Temperature: p.Temperature, TopP: 1, MaxTokens: p.MaxTokens,
		Messages:       withInstruction([]message{{"system", p.System}, {"user", p.User}}, "Answer with one JSON object and nothing else."),
		ResponseFormat: &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{Name: "npc", Schema: e.raw, Strict: true}},
	})
	raw := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	rawCall := func() {
		resp, err := raw.Post(srv.URL+"/chat/completions", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	ctx := context.Background()
	rawCall()
	if _, err := Complete[NPC](ctx, c, p); err != nil {
		b.Fatal(err)
	}
	complete := func() {
		if _, err := Complete[NPC](ctx, c, p); err != nil {
			b.Fatal(err)
		}
	}
	overhead.Measure(b, "complete", rawCall, complete)
}
