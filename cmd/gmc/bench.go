package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gmc-project/gmc/internal/bench/apibench"
	"github.com/gmc-project/gmc/internal/bench/diarbench"
	"github.com/gmc-project/gmc/internal/bench/kwbench"
	"github.com/gmc-project/gmc/internal/bench/searchbench"
	"github.com/gmc-project/gmc/internal/bench/speechbench"
	"github.com/gmc-project/gmc/internal/bench/spokenkw"
	"github.com/gmc-project/gmc/internal/bench/wsbench"
)

const benchUsage = `usage: gmc bench <tool> [flags]

Tools:
  api              API requests against a bare net/http floor on the same database: req/s, p50/p95/p99, ratio
  diarization      speaker diarization error rate (DER) on a folder of WAVs with reference RTTMs
  load             a group's evening times many: GMs editing, players browsing and searching, live sessions with sockets; per-route p50/p95/p99 and errors
  keywords         live keyword detection quality on a benchmark file (precision, recall, F1)
  spoken-keywords  keyword detection from synthesised speech (flite + PocketSphinx), with and without n-best and names
  search           search quality (recall@1/5, MRR) and speed against ILIKE and pg_trgm baselines
  speech           live speech end to end over /audio/ws: WER, latency to transcript.segment, server real-time factor, DER
  ws               live-table WebSocket load: delivered messages/s, latency, memory per connection
`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return fmt.Errorf("no bench tool given")
	}
	switch args[0] {
	case "api":
		return apibench.Main(ctx, args[1:], stdout, stderr)
	case "diarization":
		return diarbench.Main(ctx, args[1:], stdout, stderr)
	case "load":
		return wsbench.LoadMain(ctx, args[1:], stdout, stderr)
	case "keywords":
		return kwbench.Main(ctx, args[1:], stdout, stderr)
	case "spoken-keywords":
		return spokenkw.Main(ctx, args[1:], stdout, stderr)
	case "search":
		return searchbench.Main(ctx, args[1:], stdout, stderr)
	case "speech":
		return speechbench.Main(ctx, args[1:], stdout, stderr)
	case "ws":
		return wsbench.Main(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, benchUsage)
	return fmt.Errorf("unknown bench tool %q", args[0])
}
