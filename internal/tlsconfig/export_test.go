package tlsconfig

import "time"

// SetClock replaces f's clock (tests).
func SetClock(f *FileCertificate, now func() time.Time) {
	f.mu.Lock()
	f.now = now
	f.mu.Unlock()
}
