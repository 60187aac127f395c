package calls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The watched directory (serve --cdr-dir) holds one folder per switch,
// named as the switch: DIR/<switch>/<file>. A file is taken once it has not
// changed for the settle time, moved to DIR/<switch>/processing/ (the move
// is the claim, so two nodes sharing the directory never read one file
// twice), ingested, then moved to done/ (read; its malformed records, if
// any, listed in the report) or failed/ (unreadable, no such switch, or
// every record malformed), with <file>.report.json beside it.
const (
	dirProcessing = "processing"
	dirDone       = "done"
	dirFailed     = "failed"
)

// FileReport is the report written beside a processed file.
type FileReport struct {
	File   string `json:"file"`
	Moved  string `json:"moved_to"`
	Error  string `json:"error,omitempty"`
	Report Report `json:"report"`
}

// ScanDir processes the files waiting in dir once and returns what became
// of each. providerID 0 finds each folder's switch in whichever provider has
// one of that name.
func (s *Service) ScanDir(ctx context.Context, dir string, providerID int64, settle time.Duration) ([]FileReport, error) {
	folders, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("calls: read %s: %w", dir, err)
	}
	var out []FileReport
	for _, folder := range folders {
		if !folder.IsDir() || strings.HasPrefix(folder.Name(), ".") {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, folder.Name()))
		if err != nil {
			return out, fmt.Errorf("calls: read %s: %w", folder.Name(), err)
		}
		for _, f := range files {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			name := f.Name()
			if f.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".part") ||
				strings.HasSuffix(name, ".report.json") {
				continue
			}
			info, err := f.Info()
			if err != nil || time.Since(info.ModTime()) < settle {
				continue // still being written
			}
			rep, ok, err := s.processFile(ctx, filepath.Join(dir, folder.Name()), folder.Name(), name, providerID)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, rep)
			}
		}
	}
	return out, nil
}

// processFile claims, ingests and files away one file. ok is false when
// another node claimed it first.
func (s *Service) processFile(ctx context.Context, folder, switchName, name string, providerID int64) (FileReport, bool, error) {
	claimed := filepath.Join(folder, dirProcessing, name)
	if err := os.MkdirAll(filepath.Dir(claimed), 0o750); err != nil {
		return FileReport{}, false, fmt.Errorf("calls: %w", err)
	}
	if err := os.Rename(filepath.Join(folder, name), claimed); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return FileReport{}, false, nil
		}
		return FileReport{}, false, fmt.Errorf("calls: claim %s: %w", name, err)
	}
	fr := FileReport{File: filepath.Join(switchName, name)}
	var failure error
	sw, err := s.SwitchByName(ctx, providerID, switchName)
	if err != nil {
		failure = err
	} else {
		f, err := os.Open(claimed)
		if err != nil {
			failure = err
		} else {
			fr.Report, failure = s.Ingest(ctx, sw, SourceFile, fr.File, "", f)
			f.Close()
		}
	}
	dest := dirDone
	if failure != nil || (fr.Report.Accepted+fr.Report.Duplicates == 0 && fr.Report.Malformed > 0) {
		dest = dirFailed
	}
	if failure != nil {
		fr.Error = failure.Error()
	}
	target, err := freeName(filepath.Join(folder, dest), name)
	if err != nil {
		return fr, true, err
	}
	if err := os.Rename(claimed, target); err != nil {
		return fr, true, fmt.Errorf("calls: file %s: %w", name, err)
	}
	fr.Moved = target
	doc, err := json.MarshalIndent(fr, "", "  ")
	if err != nil {
		return fr, true, err
	}
	if err := os.WriteFile(target+".report.json", append(doc, '\n'), 0o640); err != nil {
		return fr, true, fmt.Errorf("calls: report of %s: %w", name, err)
	}
	if failure != nil {
		s.logger.Warn("call record file failed", "file", fr.File, "moved_to", target, "err", failure)
	} else {
		s.logger.Info("call record file ingested", "file", fr.File, "moved_to", target, "accepted", fr.Report.Accepted,
			"duplicates", fr.Report.Duplicates, "malformed", fr.Report.Malformed, "ignored", fr.Report.Ignored)
	}
	return fr, true, nil
}

// freeName is dir/name, or dir/name.2, .3 … when a file of that name was
// filed before (a switch that reuses file names).
func freeName(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("calls: %w", err)
	}
	p := filepath.Join(dir, name)
	for i := 2; ; i++ {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return p, nil
		}
		p = filepath.Join(dir, fmt.Sprintf("%s.%d", name, i))
	}
}

// WatchDir scans dir every interval until ctx ends (serve --cdr-dir).
func (s *Service) WatchDir(ctx context.Context, dir string, providerID int64, every, settle time.Duration) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		s.logger.Error("call record directory", "dir", dir, "err", err)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.ScanDir(ctx, dir, providerID, settle); err != nil && ctx.Err() == nil {
			s.logger.Error("call record directory", "dir", dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
