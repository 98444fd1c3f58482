package metrics_test

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/metrics"
)

// TestDeployNamesExist: every gmc_ series the Grafana dashboard and the
// alert rules in deploy/ query is one the server exports, so a renamed
// metric cannot leave a panel empty or an alert silent.
func TestDeployNamesExist(t *testing.T) {
	m := metrics.New()
	record(m)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	exported := map[string]bool{}
	for _, line := range strings.Split(string(body), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			exported[strings.Fields(name)[0]] = true
		}
	}
	series := regexp.MustCompile(`gmc_[a-z_]+`)
	for _, file := range []string{"grafana/gmc.json", "prometheus/alerts.yml", "prometheus/alerts_test.yml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range series.FindAllString(string(b), -1) {
			base := name
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				if s, ok := strings.CutSuffix(name, suffix); ok && exported[s] {
					base = s
				}
			}
			if !exported[base] {
				t.Errorf("%s queries %s, which the server does not export", file, name)
			}
		}
	}
}
