package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Evaluation data (the D&D 5e SRD in the 5e-database format, keyword and
// diarization benchmarks) is not kept in the repository. Tests find it
// through two variables:
//
//	GMC_SRD_DIR     a 5e-database src/2014/en folder (5e-SRD-*.json)
//	GMC_SHARED_DIR  a folder holding srd/ and bench/
//
// and otherwise look for a folder named shared beside the repository.

// SharedDir returns the folder named by GMC_SHARED_DIR, else a folder named
// shared beside the repository's root; it may not exist.
func SharedDir() string {
	if dir := os.Getenv("GMC_SHARED_DIR"); dir != "" {
		return dir
	}
	return filepath.Join(filepath.Dir(repoRoot()), "shared")
}

// SRDPath returns where the SRD data should be: GMC_SRD_DIR, else the srd
// folder of SharedDir. It does not check that it is there.
func SRDPath() string {
	if dir := os.Getenv("GMC_SRD_DIR"); dir != "" {
		return dir
	}
	return filepath.Join(SharedDir(), "srd")
}

// SRDDir returns the SRD folder, or skips the test (fails it when CI=true)
// with a message saying how to point the tests at the data.
func SRDDir(tb testing.TB) string {
	tb.Helper()
	dir := SRDPath()
	needData(tb, dir, "5e-SRD-Spells.json", "set GMC_SRD_DIR to a 5e-database src/2014/en folder, or GMC_SHARED_DIR to a folder with srd/ in it")
	return dir
}

// SharedData returns SharedDir after checking that every named file is in
// it, or skips the test (fails it when CI=true) saying what is missing.
func SharedData(tb testing.TB, files ...string) string {
	tb.Helper()
	dir := SharedDir()
	for _, f := range files {
		needData(tb, dir, f, "set GMC_SHARED_DIR to the folder that holds srd/ and bench/")
	}
	return dir
}

func needData(tb testing.TB, dir, file, hint string) {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("test data %s not found in %s: %s", file, dir, hint)
		}
		tb.Skipf("SKIPPING: test data %s not found in %s: %s", file, dir, hint)
	}
}

// repoRoot is the folder of go.mod above the working directory (a test
// runs in its package's folder), or the working directory itself.
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return wd
		}
		dir = parent
	}
}
