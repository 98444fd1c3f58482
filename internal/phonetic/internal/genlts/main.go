// Command genlts learns the letter-to-sound model from the embedded CMU
// dictionary and writes it, gzipped, for package phonetic to embed.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"

	"github.com/gmc-project/gmc/internal/phonetic"
)

func main() {
	out := flag.String("out", "lts-model.bin.gz", "output `file`")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genlts:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	entries, err := phonetic.Entries()
	if err != nil {
		return err
	}
	m, err := phonetic.Train(entries, nil)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := m.WriteTo(zw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}
