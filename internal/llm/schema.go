package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Schema is the subset of JSON Schema that strict structured output
// accepts and that SchemaFor generates: every object lists all its
// properties as required and forbids others, and an optional value is one
// whose type also allows null.
type Schema struct {
	// Type is one JSON type, or several (e.g. string and null) in Types.
	Type        string
	Types       []string
	Description string
	Properties  map[string]*Schema
	// Order keeps the struct's field order: a model writes the properties
	// in the order the schema lists them, and a name reads better before
	// the text that describes it.
	Order     []string
	Required  []string
	Enum      []string
	Items     *Schema
	MinItems  *int
	MaxItems  *int
	MinLength *int
	MaxLength *int
	Minimum   *float64
	Maximum   *float64
	// Closed is additionalProperties: false.
	Closed bool
}

// MarshalJSON writes the schema with its properties in field order.
func (s *Schema) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string, v any) error {
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(raw)
		return nil
	}
	var err error
	add := func(name string, v any) {
		if err == nil {
			err = field(name, v)
		}
	}
	switch {
	case len(s.Types) > 0:
		add("type", s.Types)
	case s.Type != "":
		add("type", s.Type)
	}
	if s.Description != "" {
		add("description", s.Description)
	}
	if s.Properties != nil {
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(`"properties":{`)
		for i, name := range s.propertyNames() {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(name)
			b.Write(k)
			b.WriteByte(':')
			raw, e := s.Properties[name].MarshalJSON()
			if e != nil {
				return nil, e
			}
			b.Write(raw)
		}
		b.WriteByte('}')
		add("required", append([]string{}, s.Required...))
	}
	if s.Closed {
		add("additionalProperties", false)
	}
	if s.Enum != nil {
		add("enum", s.Enum)
	}
	if s.Items != nil {
		add("items", s.Items)
	}
	for _, c := range []struct {
		name string
		v    *int
	}{{"minItems", s.MinItems}, {"maxItems", s.MaxItems}, {"minLength", s.MinLength}, {"maxLength", s.MaxLength}} {
		if c.v != nil {
			add(c.name, *c.v)
		}
	}
	if s.Minimum != nil {
		add("minimum", *s.Minimum)
	}
	if s.Maximum != nil {
		add("maximum", *s.Maximum)
	}
	if err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (s *Schema) propertyNames() []string {
	if len(s.Order) == len(s.Properties) {
		return s.Order
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Schema) allows(t string) bool {
	if len(s.Types) == 0 {
		return s.Type == t
	}
	for _, x := range s.Types {
		if x == t {
			return true
		}
	}
	return false
}

var schemaCache sync.Map // reflect.Type → schemaEntry

type schemaEntry struct {
	schema *Schema
	raw    json.RawMessage
	err    error
}

// SchemaFor returns the schema of T's JSON form. Struct fields follow
// their json tags; a doc tag describes the field to the model, an enum tag
// lists the allowed strings (comma-separated), and a schema tag sets
// limits: "minLength=1,maxLength=80,minItems=1,maxItems=5,minimum=0,
// maximum=20". A pointer field may be null. T must be a struct.
func SchemaFor[T any]() (*Schema, error) {
	e := schemaOf(reflect.TypeFor[T]())
	return e.schema, e.err
}

func schemaOf(t reflect.Type) schemaEntry {
	if e, ok := schemaCache.Load(t); ok {
		return e.(schemaEntry)
	}
	var e schemaEntry
	if t.Kind() != reflect.Struct {
		e.err = fmt.Errorf("llm: answer type %v must be a struct (a JSON object)", t)
	} else {
		e.schema, e.err = typeSchema(t, map[reflect.Type]bool{})
		if e.err == nil {
			e.raw, e.err = e.schema.MarshalJSON()
		}
	}
	schemaCache.Store(t, e)
	return e
}

func typeSchema(t reflect.Type, seen map[reflect.Type]bool) (*Schema, error) {
	switch t.Kind() {
	case reflect.Pointer:
		s, err := typeSchema(t.Elem(), seen)
		if err != nil {
			return nil, err
		}
		if s.Type == "" {
			return nil, fmt.Errorf("llm: %v cannot be made nullable", t)
		}
		s.Types = []string{s.Type, "null"}
		s.Type = ""
		return s, nil
	case reflect.String:
		return &Schema{Type: "string"}, nil
	case reflect.Bool:
		return &Schema{Type: "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Schema{Type: "integer"}, nil
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number"}, nil
	case reflect.Slice, reflect.Array:
		items, err := typeSchema(t.Elem(), seen)
		if err != nil {
			return nil, err
		}
		return &Schema{Type: "array", Items: items}, nil
	case reflect.Struct:
		if seen[t] {
			return nil, fmt.Errorf("llm: %v refers to itself; strict schemas cannot recurse", t)
		}
		seen[t] = true
		defer delete(seen, t)
		s := &Schema{Type: "object", Properties: map[string]*Schema{}, Closed: true}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous {
				return nil, fmt.Errorf("llm: %v embeds %v; list the fields instead", t, f.Type)
			}
			if name == "" {
				name = f.Name
			}
			fs, err := typeSchema(f.Type, seen)
			if err != nil {
				return nil, fmt.Errorf("%v.%s: %w", t, f.Name, err)
			}
			if err := applyTags(fs, f); err != nil {
				return nil, fmt.Errorf("llm: %v.%s: %w", t, f.Name, err)
			}
			s.Properties[name] = fs
			s.Order = append(s.Order, name)
			s.Required = append(s.Required, name)
		}
		return s, nil
	}
	return nil, fmt.Errorf("llm: %v has no JSON schema in the strict subset", t)
}

func applyTags(s *Schema, f reflect.StructField) error {
	s.Description = f.Tag.Get("doc")
	if e, ok := f.Tag.Lookup("enum"); ok {
		target := s
		if target.Items != nil {
			target = target.Items
		}
		if target.Type != "string" {
			// A nullable enum would have to list null among its values,
			// which a list of strings cannot.
			return fmt.Errorf("enum needs a string field or a list of strings")
		}
		for _, v := range strings.Split(e, ",") {
			target.Enum = append(target.Enum, strings.TrimSpace(v))
		}
	}
	tag, ok := f.Tag.Lookup("schema")
	if !ok {
		return nil
	}
	for _, kv := range strings.Split(tag, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(kv), "=")
		if !found {
			return fmt.Errorf("schema tag %q: want key=value", kv)
		}
		switch k {
		case "minLength", "maxLength", "minItems", "maxItems":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("schema tag %s=%q: want a whole number", k, v)
			}
			switch k {
			case "minLength":
				s.MinLength = &n
			case "maxLength":
				s.MaxLength = &n
			case "minItems":
				s.MinItems = &n
			case "maxItems":
				s.MaxItems = &n
			}
		case "minimum", "maximum":
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("schema tag %s=%q: want a number", k, v)
			}
			if k == "minimum" {
				s.Minimum = &x
			} else {
				s.Maximum = &x
			}
		default:
			return fmt.Errorf("schema tag: unknown key %q", k)
		}
	}
	return nil
}

// Validate checks a decoded JSON value (numbers as json.Number or
// float64) against the schema and returns every problem, each naming the
// JSON pointer of the value it is about.
func (s *Schema) Validate(v any) []string {
	var errs []string
	s.validate(v, "", &errs)
	return errs
}

func (s *Schema) validate(v any, path string, errs *[]string) {
	bad := func(format string, args ...any) {
		p := path
		if p == "" {
			p = "/"
		}
		*errs = append(*errs, p+": "+fmt.Sprintf(format, args...))
	}
	kind := jsonType(v)
	if !s.allows(kind) && (kind != "integer" || !s.allows("number")) {
		want := s.Type
		if len(s.Types) > 0 {
			want = strings.Join(s.Types, " or ")
		}
		bad("want %s, got %s", want, kind)
		return
	}
	switch x := v.(type) {
	case string:
		if s.Enum != nil && !contains(s.Enum, x) {
			bad("%q is not one of %s", x, strings.Join(s.Enum, ", "))
		}
		n := utf8.RuneCountInString(x)
		if s.MinLength != nil && n < *s.MinLength {
			bad("want at least %d characters, got %d", *s.MinLength, n)
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			bad("want at most %d characters, got %d", *s.MaxLength, n)
		}
	case json.Number, float64:
		f := toFloat(x)
		if s.Minimum != nil && f < *s.Minimum {
			bad("%v is less than the minimum %v", f, *s.Minimum)
		}
		if s.Maximum != nil && f > *s.Maximum {
			bad("%v is more than the maximum %v", f, *s.Maximum)
		}
	case []any:
		if s.MinItems != nil && len(x) < *s.MinItems {
			bad("want at least %d items, got %d", *s.MinItems, len(x))
		}
		if s.MaxItems != nil && len(x) > *s.MaxItems {
			bad("want at most %d items, got %d", *s.MaxItems, len(x))
		}
		if s.Items != nil {
			for i, item := range x {
				s.Items.validate(item, path+"/"+strconv.Itoa(i), errs)
			}
		}
	case map[string]any:
		for _, name := range s.Required {
			if _, ok := x[name]; !ok {
				bad("missing required property %q", name)
			}
		}
		names := make([]string, 0, len(x))
		for name := range x {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ps, ok := s.Properties[name]
			if !ok {
				if s.Closed {
					bad("unknown property %q", name)
				}
				continue
			}
			ps.validate(x[name], path+"/"+pointerEscape(name), errs)
		}
	}
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number, float64:
		f := toFloat(x)
		if f == math.Trunc(f) && !math.IsInf(f, 0) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case float64:
		return x
	}
	return math.NaN()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func pointerEscape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

var schemaName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
