package httpapi

import (
	"go/build"
	"strings"
	"testing"
)

// The HTTP layer hands requests to service and nothing lower: a store type
// built in a handler would let a request shape what the store is asked,
// visibility included. Tests may still open a store to set up data.
func TestHandlersDoNotImportStore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	const storePkg = "github.com/gmc-project/gmc/internal/store"
	for _, imp := range pkg.Imports {
		if imp == storePkg || strings.HasPrefix(imp, storePkg+"/") {
			t.Errorf("httpapi imports %s; pass service-owned query types instead", imp)
		}
	}
}
