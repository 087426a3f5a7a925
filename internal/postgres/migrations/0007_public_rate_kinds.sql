-- Two more kinds of platform-wide rate events (issue 4's follow-ups): a
-- booking confirmation (the code check) and a manage-link request (view,
-- cancel, reschedule), each counted per client IP (IPv6 per /64), so a
-- script cannot make every wrong confirmation or link request write to a
-- practice's audit log without limit. Same table, keys still keyed hashes.
ALTER TABLE public_rate_events DROP CONSTRAINT public_rate_events_kind_check;
ALTER TABLE public_rate_events ADD CONSTRAINT public_rate_events_kind_check
    CHECK (kind IN ('booking_code_email', 'booking_code_ip', 'booking_confirm_ip', 'manage_link_ip'));
