// Package referencetest holds a few records in the 5e-database file format,
// written for gmc's tests (not SRD text): enough for the live keyword tests
// to detect a spell, a common spell name and conditions, and to show their
// cards. Tests of any package read them through Dir, so none reaches into
// another package's testdata.
package referencetest

import (
	"path/filepath"
	"runtime"
)

// Dir returns the folder of the records, for reference.Load and
// service.ImportReference.
func Dir() string {
	// The compiler records this file's path; were it missing, the relative
	// "srd" would fail to load with an error naming it.
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "srd")
}
