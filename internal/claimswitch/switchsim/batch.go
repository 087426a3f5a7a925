package switchsim

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"medic/internal/claimswitch"
)

// ProcessBatches plays the switch's side of the batch-file exchange: every
// claim batch in outbox without an acknowledgement is adjudicated and
// answered in inbox (<key>.ack), and every paid claim without a remittance
// file gets one (<key>.rem). Files starting with a dot are being written
// and are left alone. It returns how many files it wrote.
func (s *Switch) ProcessBatches(ctx context.Context, outbox, inbox string) (int, error) {
	names, err := filepath.Glob(filepath.Join(outbox, "*"+claimswitch.ClaimsExt))
	if err != nil {
		return 0, err
	}
	written := 0
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), ".") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return written, err
		}
		_, claims, err := claimswitch.ParseBatch(bytes.NewReader(data))
		if err != nil {
			return written, fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		for _, c := range claims {
			if !claimswitch.SafeKey(c.IdempotencyKey) {
				return written, fmt.Errorf("%s: unsafe key %q", filepath.Base(name), c.IdempotencyKey)
			}
			ack := filepath.Join(inbox, c.IdempotencyKey+claimswitch.AckExt)
			if _, err := os.Stat(ack); os.IsNotExist(err) {
				reply, err := s.Submit(ctx, c)
				if err != nil {
					return written, err
				}
				var b bytes.Buffer
				if err := claimswitch.WriteAck(&b, c.IdempotencyKey, reply); err != nil {
					return written, err
				}
				if err := place(ack, b.Bytes()); err != nil {
					return written, err
				}
				written++
			}
			rem := filepath.Join(inbox, c.IdempotencyKey+claimswitch.RemittanceExt)
			if _, err := os.Stat(rem); os.IsNotExist(err) {
				r := s.remittanceByKey(c.IdempotencyKey)
				if r == nil {
					continue
				}
				var b bytes.Buffer
				if err := claimswitch.WriteRemittanceFile(&b, c.IdempotencyKey, r); err != nil {
					return written, err
				}
				if err := place(rem, b.Bytes()); err != nil {
					return written, err
				}
				written++
			}
		}
	}
	return written, nil
}

// place writes a file under a dot name and renames it into place, so a
// reader never sees half of it.
func place(name string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
