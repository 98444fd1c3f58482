package llm

import (
	"encoding/json"
	"strings"
	"testing"
)

type inner struct {
	Label string `json:"label" doc:"a short label"`
}

type outer struct {
	Name    string   `json:"name" schema:"minLength=1,maxLength=10"`
	Kind    string   `json:"kind" enum:"a, b"`
	Count   int      `json:"count" schema:"minimum=0,maximum=5"`
	Ratio   float64  `json:"ratio"`
	On      bool     `json:"on"`
	Tags    []string `json:"tags" enum:"x,y" schema:"maxItems=2"`
	Inner   inner    `json:"inner"`
	Maybe   *int     `json:"maybe"`
	Skipped string   `json:"-"`
	//lint:ignore U1000 an unexported field must stay out of the schema
	internal string
	Untagged string
}

func TestSchemaForGeneratesStrictSubset(t *testing.T) {
	t.Parallel()
	s, err := SchemaFor[outer]()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"object","properties":{` +
		`"name":{"type":"string","minLength":1,"maxLength":10},` +
		`"kind":{"type":"string","enum":["a","b"]},` +
		`"count":{"type":"integer","minimum":0,"maximum":5},` +
		`"ratio":{"type":"number"},` +
		`"on":{"type":"boolean"},` +
		`"tags":{"type":"array","items":{"type":"string","enum":["x","y"]},"maxItems":2},` +
		`"inner":{"type":"object","properties":{"label":{"type":"string","description":"a short label"}},"required":["label"],"additionalProperties":false},` +
		`"maybe":{"type":["integer","null"]},` +
		`"Untagged":{"type":"string"}},` +
		`"required":["name","kind","count","ratio","on","tags","inner","maybe","Untagged"],"additionalProperties":false}`
	if string(raw) != want {
		t.Errorf("schema =\n%s\nwant\n%s", raw, want)
	}
}

func TestSchemaForRejectsUnsupported(t *testing.T) {
	t.Parallel()
	type withMap struct {
		M map[string]string `json:"m"`
	}
	type badEnum struct {
		N int `json:"n" enum:"1,2"`
	}
	type badTag struct {
		S string `json:"s" schema:"minLength=x"`
	}
	type node struct {
		Kids []node `json:"kids"`
	}
	for name, err := range map[string]error{
		"map":        func() error { _, err := SchemaFor[withMap](); return err }(),
		"enum":       func() error { _, err := SchemaFor[badEnum](); return err }(),
		"tag":        func() error { _, err := SchemaFor[badTag](); return err }(),
		"recursion":  func() error { _, err := SchemaFor[node](); return err }(),
		"not struct": func() error { _, err := SchemaFor[[]string](); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: SchemaFor succeeded, want an error", name)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	s, _ := SchemaFor[outer]()
	good := `{"name":"n","kind":"a","count":5,"ratio":0.5,"on":true,"tags":["x"],"inner":{"label":"l"},"maybe":null,"Untagged":""}`
	tests := []struct {
		doc  string
		want string // "" for valid
	}{
		{good, ""},
		{strings.Replace(good, `"maybe":null`, `"maybe":3`, 1), ""},
		{strings.Replace(good, `"ratio":0.5`, `"ratio":2`, 1), ""},
		{strings.Replace(good, `"count":5`, `"count":6`, 1), "/count: 6 is more than the maximum 5"},
		{strings.Replace(good, `"count":5`, `"count":-1`, 1), "/count: -1 is less than the minimum 0"},
		{strings.Replace(good, `"count":5`, `"count":1.5`, 1), "/count: want integer, got number"},
		{strings.Replace(good, `"name":"n"`, `"name":"ééééééééééé"`, 1), "/name: want at most 10 characters, got 11"},
		{strings.Replace(good, `"name":"n"`, `"name":"éé"`, 1), ""},
		{strings.Replace(good, `"kind":"a"`, `"kind":"c"`, 1), `/kind: "c" is not one of a, b`},
		{strings.Replace(good, `"tags":["x"]`, `"tags":["x","y","x"]`, 1), "/tags: want at most 2 items, got 3"},
		{strings.Replace(good, `"tags":["x"]`, `"tags":["z"]`, 1), `/tags/0: "z" is not one of x, y`},
		{strings.Replace(good, `"inner":{"label":"l"}`, `"inner":{"label":"l","x":1}`, 1), `/inner: unknown property "x"`},
		{strings.Replace(good, `"inner":{"label":"l"}`, `"inner":{}`, 1), `/inner: missing required property "label"`},
		{strings.Replace(good, `"on":true`, `"on":null`, 1), "/on: want boolean, got null"},
		{strings.Replace(good, `"maybe":null`, `"maybe":"3"`, 1), "/maybe: want integer or null, got string"},
		{`[]`, "/: want object, got array"},
	}
	for _, tc := range tests {
		dec := json.NewDecoder(strings.NewReader(tc.doc))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(s.Validate(v), "; ")
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("Validate(%s) = %q, want %q", tc.doc, got, tc.want)
		}
	}
}
