package claimswitch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"medic"
)

// Files is the batch-file adapter, for switches that collect claim files
// (by SFTP or a shared folder) rather than take calls. Each claim version
// is written as a batch of one, <key>.claims, into the outbox; the switch
// drops <key>.ack and, once paid, <key>.rem into the inbox. A claim's
// reference with this adapter is its idempotency key.
type Files struct {
	outbox, inbox string
}

var _ medic.ClaimSwitch = (*Files)(nil)

// NewFiles writes claims to outbox and reads answers from inbox.
func NewFiles(outbox, inbox string) *Files { return &Files{outbox: outbox, inbox: inbox} }

// Extensions of the files in the outbox and inbox.
const (
	ClaimsExt     = ".claims"
	AckExt        = ".ack"
	RemittanceExt = ".rem"
)

// ErrMembershipOffline answers CheckMembership: a file switch has no
// real-time lookups.
var ErrMembershipOffline = &medic.Error{Code: medic.EUNAVAILABLE, Message: "This switch takes batch files and cannot check membership; check it on the scheme's portal."}

// Submit writes the claim's batch file once: the file appears whole (it is
// written under a dot name, then linked into place) and a second Submit
// with the same key and content writes nothing; different content under a
// used key is ECONFLICT.
func (f *Files) Submit(ctx context.Context, c *medic.ClaimSubmission) (*medic.SwitchReply, error) {
	if !SafeKey(c.IdempotencyKey) {
		return nil, fmt.Errorf("claimswitch: idempotency key %q is not a safe file name", c.IdempotencyKey)
	}
	var b bytes.Buffer
	if err := WriteBatch(&b, c.IdempotencyKey, c); err != nil {
		return nil, err
	}
	final := filepath.Join(f.outbox, c.IdempotencyKey+ClaimsExt)
	tmp, err := os.CreateTemp(f.outbox, "."+c.IdempotencyKey+".*")
	if err != nil {
		return nil, fmt.Errorf("claimswitch: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("claimswitch: write batch: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("claimswitch: sync batch: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("claimswitch: close batch: %w", err)
	}
	// Link fails if the name exists: the one atomic "create if absent".
	if err := os.Link(tmp.Name(), final); errors.Is(err, fs.ErrExist) {
		old, err := os.ReadFile(final)
		if err != nil {
			return nil, fmt.Errorf("claimswitch: read earlier batch: %w", err)
		}
		if !bytes.Equal(old, b.Bytes()) {
			return nil, medic.Errorf(medic.ECONFLICT, "The switch already holds a different claim under this key.")
		}
	} else if err != nil {
		return nil, fmt.Errorf("claimswitch: place batch: %w", err)
	}
	return f.Status(ctx, c.IdempotencyKey)
}

// Status reads the acknowledgement, or says received while there is none.
func (f *Files) Status(ctx context.Context, ref string) (*medic.SwitchReply, error) {
	if !SafeKey(ref) {
		return nil, medic.ErrNotFound
	}
	data, err := os.ReadFile(filepath.Join(f.inbox, ref+AckExt))
	if errors.Is(err, fs.ErrNotExist) {
		info, err := os.Stat(filepath.Join(f.outbox, ref+ClaimsExt))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, medic.ErrNotFound
		} else if err != nil {
			return nil, fmt.Errorf("claimswitch: %w", err)
		}
		return &medic.SwitchReply{Ref: ref, State: medic.SwitchReceived, At: info.ModTime()}, nil
	} else if err != nil {
		return nil, fmt.Errorf("claimswitch: read acknowledgement: %w", err)
	}
	_, reply, err := ParseAck(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	reply.Ref = ref
	// The acknowledgement is not rewritten when the scheme pays; the
	// remittance file is the news.
	if reply.State == medic.SwitchAccepted {
		if rem, err := f.readRemittance(ref); err == nil {
			reply.State = medic.SwitchPaid
			if rem.PartPaid() {
				reply.State = medic.SwitchPartPaid
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return reply, nil
}

// Remittance reads the remittance file; ErrNoRemittance while there is none.
func (f *Files) Remittance(ctx context.Context, ref string) (*medic.Remittance, error) {
	if !SafeKey(ref) {
		return nil, medic.ErrNotFound
	}
	rem, err := f.readRemittance(ref)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := f.Status(ctx, ref); err != nil {
			return nil, err
		}
		return nil, medic.ErrNoRemittance
	}
	return rem, err
}

// readRemittance reads and parses <ref>.rem (fs.ErrNotExist if absent).
func (f *Files) readRemittance(ref string) (*medic.Remittance, error) {
	data, err := os.ReadFile(filepath.Join(f.inbox, ref+RemittanceExt))
	if err != nil {
		return nil, fmt.Errorf("claimswitch: read remittance: %w", err)
	}
	_, rem, err := ParseRemittanceFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	rem.Ref = ref
	return rem, nil
}

// CheckMembership is not possible through files.
func (f *Files) CheckMembership(ctx context.Context, q medic.MembershipQuery) (*medic.MembershipReply, error) {
	return nil, ErrMembershipOffline
}

// SafeKey reports whether a key can name a file: 1 to 100 letters, digits,
// "-", "_" and ".", not starting with a dot.
func SafeKey(k string) bool {
	if k == "" || len(k) > 100 || k[0] == '.' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
