package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
)

// servedOpenAPI is the document the server serves.
func servedOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	New(Config{Version: "test"}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, BasePath+"/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json = %d", rec.Code)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

type docOperation struct {
	method, path string
	op           map[string]any
}

func docOperations(doc map[string]any) map[string]docOperation {
	ops := map[string]docOperation{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			o := op.(map[string]any)
			ops[o["operationId"].(string)] = docOperation{method, path, o}
		}
	}
	return ops
}

// TestOpenAPIOperationsDescribed: every served operation has an entry in
// operationDocs (so a description) and lists its 4xx answers as problem
// documents, and operationDocs names no operation that does not exist.
func TestOpenAPIOperationsDescribed(t *testing.T) {
	ops := docOperations(servedOpenAPI(t))
	for id, o := range ops {
		if _, ok := operationDocs[id]; !ok {
			t.Errorf("%s %s (%s) has no entry in operationDocs", o.method, o.path, id)
		}
		if d, _ := o.op["description"].(string); d == "" {
			t.Errorf("%s has no description", id)
		}
		var errs int
		for status, r := range o.op["responses"].(map[string]any) {
			code, _ := strconv.Atoi(status)
			if code < 400 || code > 499 {
				continue
			}
			errs++
			content, _ := r.(map[string]any)["content"].(map[string]any)
			problem, _ := content["application/problem+json"].(map[string]any)
			if schema, _ := problem["schema"].(map[string]any); schema["$ref"] != "#/components/schemas/Problem" {
				t.Errorf("%s %d is not a problem document: %v", id, code, r)
			}
		}
		if errs == 0 {
			t.Errorf("%s lists no 4xx answer", id)
		}
	}
	for id := range operationDocs {
		if _, ok := ops[id]; !ok {
			t.Errorf("operationDocs describes %q, which is not served", id)
		}
	}
}

// TestOpenAPIErrorAnswers checks the 4xx lists of operations of each shape.
func TestOpenAPIErrorAnswers(t *testing.T) {
	ops := docOperations(servedOpenAPI(t))
	tests := []struct {
		id   string
		want []int
	}{
		{"register", []int{400, 409, 413, 422, 429}},
		{"accept-invite", []int{401, 404, 409, 422, 429}},
		{"login", []int{400, 401, 413, 422, 429}},
		{"get-me", []int{401, 429}},
		{"list-campaigns", []int{401, 422, 429}},
		{"get-campaign", []int{401, 404, 422, 429}},
		{"patch-campaign", []int{400, 401, 403, 404, 409, 413, 422, 429}},
		{"export-campaign", []int{401, 403, 404, 422, 429}},
		{"import-campaign", []int{400, 401, 413, 422, 429}},
		{"add-plot-dependency", []int{400, 401, 403, 404, 409, 413, 422, 429}},
		{"search-reference", []int{401, 422, 429}},
	}
	for _, tt := range tests {
		o, ok := ops[tt.id]
		if !ok {
			t.Errorf("%s not served", tt.id)
			continue
		}
		var got []int
		for status := range o.op["responses"].(map[string]any) {
			if code, _ := strconv.Atoi(status); code >= 400 && code < 500 {
				got = append(got, code)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s 4xx answers = %v, want %v", tt.id, got, tt.want)
		}
	}
}

// TestOpenAPITagsDescribed: every tag an operation uses is declared with a
// description, and the document names its server, licence and purpose.
func TestOpenAPITagsDescribed(t *testing.T) {
	doc := servedOpenAPI(t)
	declared := map[string]string{}
	for _, tag := range doc["tags"].([]any) {
		m := tag.(map[string]any)
		declared[m["name"].(string)], _ = m["description"].(string)
	}
	for id, o := range docOperations(doc) {
		for _, tag := range o.op["tags"].([]any) {
			if declared[tag.(string)] == "" {
				t.Errorf("%s uses tag %q, which is not declared with a description", id, tag)
			}
		}
	}
	info := doc["info"].(map[string]any)
	if info["description"] == nil || info["license"] == nil || info["contact"] == nil {
		t.Errorf("info lacks description, license or contact: %v", info)
	}
	if servers, _ := doc["servers"].([]any); len(servers) != 1 || servers[0].(map[string]any)["url"] != "/" {
		t.Errorf("servers = %v, want the relative /", doc["servers"])
	}
}

// TestEventFilterNamesEveryEntityType: the entity_type filter of the audit
// log accepts exactly the entity types the service records events about.
func TestEventFilterNamesEveryEntityType(t *testing.T) {
	op := docOperations(servedOpenAPI(t))["list-events"].op
	for _, p := range op["parameters"].([]any) {
		param := p.(map[string]any)
		if param["name"] != "entity_type" {
			continue
		}
		var got []string
		for _, v := range param["schema"].(map[string]any)["enum"].([]any) {
			got = append(got, v.(string))
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(gmc.AuditedEntityTypes))
		if !slices.Equal(got, want) {
			t.Errorf("entity_type enum = %v, want gmc.AuditedEntityTypes %v", got, want)
		}
		return
	}
	t.Fatal("list-events has no entity_type parameter")
}

// TestOpenAPIResponsesDescribed: every answer of every operation says what
// it means (OpenAPI requires a description; an error status added to an
// operation without one in errorAnswers would leave it empty).
func TestOpenAPIResponsesDescribed(t *testing.T) {
	for id, o := range docOperations(servedOpenAPI(t)) {
		for status, r := range o.op["responses"].(map[string]any) {
			if d, _ := r.(map[string]any)["description"].(string); d == "" {
				t.Errorf("%s: answer %s has no description", id, status)
			}
		}
	}
}

// TestOpenAPITimeoutAnswers: every operation that runs under a time limit
// documents its 504, the download streams, which have none, do not, and
// the recording upload documents its 413.
func TestOpenAPITimeoutAnswers(t *testing.T) {
	ops := docOperations(servedOpenAPI(t))
	streams := []string{"get-file", "get-recording-audio"}
	for id, o := range ops {
		_, has := o.op["responses"].(map[string]any)["504"]
		if want := !slices.Contains(streams, id); has != want {
			t.Errorf("%s documents 504: %v, want %v", id, has, want)
		}
	}
	if _, ok := ops["upload-audio"].op["responses"].(map[string]any)["413"]; !ok {
		t.Error("upload-audio does not document its 413")
	}
}
