package app

import "context"

// InTransaction runs fn, several use cases, in one database transaction
// (each use case's own transaction joins it): their writes and audit
// events commit together or not at all (a FHIR transaction Bundle: a full
// slot for its appointment rolls its new chart back too). Each use case
// still checks the member's role.
func (a *App) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	return a.Tx.InTx(ctx, fn)
}
