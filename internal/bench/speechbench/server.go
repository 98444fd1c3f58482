package speechbench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/bench/benchproc"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/service"
)

// table is one file's live session and the GM's access token.
type table struct{ session, token string }

// prepare registers a GM and opens one live session per file, each in a
// campaign of its own, in process on cfg's database before the server
// starts, so that none of this work is counted in the server's CPU.
func prepare(ctx context.Context, cfg config.Config, files int) ([]table, error) {
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "bench", app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		return nil, err
	}
	defer a.Close()
	svc := a.Service()
	const email, password = "bench-gm@example.com", "bench password"
	u, err := svc.Register(ctx, service.RegisterParams{Email: email, Password: password, DisplayName: "Bench GM"})
	if err != nil {
		return nil, err
	}
	pair, err := svc.Login(ctx, service.LoginParams{Email: email, Password: password, ClientIP: "198.18.0.1"})
	if err != nil {
		return nil, err
	}
	out := make([]table, files)
	for i := range out {
		camp, err := svc.CreateCampaign(ctx, u.ID, service.CampaignParams{Name: fmt.Sprintf("Speech bench %d", i+1)})
		if err != nil {
			return nil, err
		}
		gs, err := svc.CreateSession(ctx, u.ID, camp.ID, service.SessionParams{Title: "Speech bench"})
		if err != nil {
			return nil, err
		}
		if _, err := svc.StartSession(ctx, u.ID, gs.ID); err != nil {
			return nil, err
		}
		out[i] = table{session: gs.ID, token: pair.AccessToken}
	}
	return out, nil
}

// startChild runs `gmc serve` on a free loopback port with cfg's database
// and secret and the diarization provider asked for, and waits until it
// is ready; loading the acoustic model takes a few seconds on a busy
// machine. GMC_STT and the rest of the environment are passed through.
func startChild(ctx context.Context, cfg config.Config, gmcPath, diarization string) (*benchproc.Server, error) {
	return benchproc.StartServer(ctx, gmcPath, []string{
		"GMC_DATA_DIR=" + cfg.DataDir, "GMC_DATABASE_URL=" + cfg.DatabaseURL,
		"GMC_SECRET_KEY=" + cfg.SecretKey, "GMC_REDIS_URL=", "GMC_LOG_LEVEL=error",
		"GMC_DIARIZATION=" + diarization,
	}, time.Minute)
}

// loadAverage is the machine's 1, 5 and 15 minute load averages as
// /proc/loadavg gives them, for the record: on a shared machine they say
// how far the latencies measure the neighbours.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func numCPU() int { return runtime.NumCPU() }
