package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// featurePollEvery is how often GMC_FEATURES_FILE is looked at; SIGHUP
// has it read at once.
const featurePollEvery = 3 * time.Second

// featureWatch switches the instance's features while it runs: off are
// those of GMC_FEATURES_OFF and those GMC_FEATURES_FILE lists, read again
// whenever the file changes. A file that does not read or names an
// unknown feature leaves the last good state, with an error in the log
// naming the file and the word; a file that is not there switches nothing
// off.
type featureWatch struct {
	path  string
	base  []gmc.Feature
	every time.Duration
	svc   *service.Service
	log   *slog.Logger

	// stamp is the file version last read (or found bad), off the
	// features then switched off.
	stamp fileStamp
	off   []gmc.Feature

	stop context.CancelFunc
	done sync.WaitGroup
}

// fileStamp tells versions of a file apart without reading it.
type fileStamp struct {
	exists  bool
	modTime time.Time
	size    int64
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileStamp{}, nil
	}
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{exists: true, modTime: fi.ModTime(), size: fi.Size()}, nil
}

// newFeatureWatch reads the file once: at start, a bad file stops the
// server with the reason.
func newFeatureWatch(path string, base []gmc.Feature, log *slog.Logger) (*featureWatch, error) {
	w := &featureWatch{path: path, base: base, log: log}
	if path == "" {
		w.off = slices.Clone(base)
		return w, nil
	}
	stamp, err := stampOf(path)
	if err == nil {
		var listed []gmc.Feature
		if listed, err = w.read(stamp); err == nil {
			w.stamp, w.off = stamp, w.union(listed)
			return w, nil
		}
	}
	return nil, fmt.Errorf("GMC_FEATURES_FILE: %w", err)
}

// read reads the file's features; none when it is not there.
func (w *featureWatch) read(stamp fileStamp) ([]gmc.Feature, error) {
	if !stamp.exists {
		return nil, nil
	}
	b, err := os.ReadFile(w.path)
	if err != nil {
		return nil, err
	}
	listed, err := gmc.ParseFeatureList(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.path, err)
	}
	return listed, nil
}

func (w *featureWatch) union(listed []gmc.Feature) []gmc.Feature {
	off := slices.Clone(w.base)
	for _, f := range listed {
		if !slices.Contains(off, f) {
			off = append(off, f)
		}
	}
	slices.Sort(off)
	return off
}

// start switches svc's features from now on, looking at the file every
// so often (featurePollEvery when 0), until close.
func (w *featureWatch) start(svc *service.Service, every time.Duration) {
	if w.path == "" {
		return
	}
	w.svc, w.every = svc, cmp.Or(every, featurePollEvery)
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	w.done.Go(func() {
		defer signal.Stop(hup)
		t := time.NewTicker(w.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				w.check(false)
			case <-hup:
				w.check(true)
			}
		}
	})
}

func (w *featureWatch) close() {
	if w == nil || w.stop == nil {
		return
	}
	w.stop()
	w.done.Wait()
}

// check reads the file when it changed, or when forced (SIGHUP), and
// applies what it lists.
func (w *featureWatch) check(force bool) {
	stamp, err := stampOf(w.path)
	if err == nil && stamp == w.stamp && !force {
		return
	}
	var listed []gmc.Feature
	if err == nil {
		listed, err = w.read(stamp)
	}
	// A bad version is reported once, not at every poll; the next change
	// is read again.
	w.stamp = stamp
	if err != nil {
		w.log.Error("GMC_FEATURES_FILE not applied; the features stay as they were",
			slog.String("file", w.path), slog.String("error", err.Error()), slog.Any("features_off", w.off))
		return
	}
	off := w.union(listed)
	if slices.Equal(off, w.off) {
		return
	}
	w.off = off
	w.svc.SetFeaturesOff(off)
	w.log.Info("features switched", slog.String("file", w.path), slog.Any("features_off", off))
}
