// A scripted run of the npm client fhir-kit-client (nobody here wrote it)
// against a running server: metadata, create, read, update with If-Match
// (and a stale one), search with paging to the end, Patient/$everything and
// a transaction Bundle. Usage: node fhirkit.mjs run.json, where run.json
// holds {base, token, practitioner, location, appointmentType,
// appointmentTypeSystem, start}. The server's clock stands still (a test
// clock): before a change that needs a new version the script prints
// "tick" and waits for a line on stdin, the test's sign that it moved the
// clock on. Prints each step; exits 1 on the first mismatch, 2 if the
// client is missing.
let Client;
try {
  ({ Client } = await import('fhir-kit-client'));
} catch (e) {
  console.error('fhir-kit-client missing (run scripts/install-test-deps.sh): ' + e.message);
  process.exit(2);
}
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function tick() {
  console.log('tick');
  await stdin.next();
}

const run = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const client = new Client({ baseUrl: run.base, bearerToken: run.token });

function check(ok, what, got) {
  if (!ok) {
    console.log('MISMATCH ' + what + (got === undefined ? '' : ': ' + JSON.stringify(got).slice(0, 2000)));
    process.exit(1);
  }
  console.log('ok ' + what);
}

// status runs a call the server must refuse and returns the HTTP status.
async function status(call) {
  try {
    const r = await call();
    return { status: 200, body: r };
  } catch (e) {
    if (!e.response) throw e;
    return { status: e.response.status, body: e.response.data };
  }
}

const etagOf = (res) => Client.httpFor(res).response.headers.get('etag');

// metadata
const cs = await client.capabilityStatement();
const patientRest = cs.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
const does = (x) => patientRest?.interaction?.some((i) => i.code === x);
check(cs.resourceType === 'CapabilityStatement' && cs.fhirVersion === '4.0.1', 'metadata is an R4 CapabilityStatement', cs.fhirVersion);
check(does('read') && does('update') && does('create') && does('search-type'), 'metadata lists Patient read, update, create, search', patientRest);

// create and read
const family = 'Kitclient' + process.pid;
const patient = { resourceType: 'Patient', name: [{ family, given: ['Ayanda'] }], gender: 'female', birthDate: '1991-02-03' };
const created = await client.create({ resourceType: 'Patient', body: patient });
check(created.resourceType === 'Patient' && created.id && created.meta?.versionId, 'create answers the Patient with an id and versionId', created);
check(etagOf(created) === `W/"${created.meta.versionId}"`, 'create answers an ETag of the version', etagOf(created));
const read = await client.read({ resourceType: 'Patient', id: created.id });
check(read.id === created.id && read.name?.[0]?.family === family && read.birthDate === '1991-02-03', 'read answers what was created', read);

// update with If-Match, then with the now stale version
const v1 = read.meta.versionId;
const changed = { ...read, gender: 'other', birthDate: '1991-02-04' };
delete changed.meta;
await tick();
const updated = await client.update({ resourceType: 'Patient', id: read.id, body: changed, options: { headers: { 'If-Match': `W/"${v1}"` } } });
check(updated.birthDate === '1991-02-04' && updated.gender === 'other' && updated.meta.versionId !== v1, 'update with the current If-Match changes the chart and its version', updated);
const stale = await status(() =>
  client.update({ resourceType: 'Patient', id: read.id, body: { ...changed, birthDate: '1991-02-05' }, options: { headers: { 'If-Match': `W/"${v1}"` } } }),
);
check(stale.status === 412 && stale.body?.resourceType === 'OperationOutcome', 'update with a stale If-Match is refused 412 with an OperationOutcome', stale);
const after = await client.read({ resourceType: 'Patient', id: read.id });
check(after.birthDate === '1991-02-04' && after.meta.versionId === updated.meta.versionId, 'the refused update changed nothing', after);

// search with paging: 7 more charts of the family, 3 a page, every next link to the end
const ids = new Set([created.id]);
for (let i = 0; i < 7; i++) {
  const p = await client.create({ resourceType: 'Patient', body: { ...patient, name: [{ family, given: ['Page' + 'abcdefg'[i]] }] } });
  ids.add(p.id);
}
const seen = new Set();
let pages = 0;
let bundle = await client.search({ resourceType: 'Patient', searchParams: { family, _count: 3 } });
while (bundle) {
  pages++;
  check(bundle.resourceType === 'Bundle' && bundle.type === 'searchset' && (bundle.entry?.length ?? 0) <= 3, `search page ${pages} is a searchset of at most 3`, bundle);
  const repeated = (bundle.entry ?? []).map((e) => e.resource.id).filter((id) => seen.has(id));
  check(repeated.length === 0, `search page ${pages} repeats no chart of an earlier page`, repeated);
  for (const e of bundle.entry ?? []) seen.add(e.resource.id);
  bundle = await client.nextPage({ bundle });
}
check(pages === 3 && seen.size === 8 && [...ids].every((id) => seen.has(id)), 'paging through the search finds all 8 charts of the family in 3 pages', { pages, seen: seen.size });
const none = await client.search({ resourceType: 'Patient', searchParams: { family: family + 'zz' } });
check((none.entry?.length ?? 0) === 0, 'a search for no one finds no one', none);

// Patient/$everything
const everything = await client.operation({ name: '$everything', resourceType: 'Patient', id: created.id, method: 'GET' });
const everyPatient = (everything.entry ?? []).filter((e) => e.resource.resourceType === 'Patient').map((e) => e.resource.id);
check(everything.resourceType === 'Bundle' && everyPatient.length === 1 && everyPatient[0] === created.id, '$everything is a Bundle holding the chart', everything);

// a transaction: a new Patient and its Appointment, referenced by urn:uuid
const ref = 'urn:uuid:4f7d1a2e-8c3b-4e5f-9a6d-1b2c3d4e5f60';
const tx = await client.transaction({
  body: {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: ref,
        resource: { resourceType: 'Patient', name: [{ family, given: ['Transact'] }], gender: 'male', birthDate: '1985-06-07' },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        resource: {
          resourceType: 'Appointment',
          status: 'booked',
          start: run.start,
          appointmentType: { coding: [{ system: run.appointmentTypeSystem, code: run.appointmentType }] },
          participant: [
            { actor: { reference: ref }, status: 'accepted' },
            { actor: { reference: 'Practitioner/' + run.practitioner }, status: 'accepted' },
            { actor: { reference: 'Location/' + run.location }, status: 'accepted' },
          ],
        },
        request: { method: 'POST', url: 'Appointment' },
      },
    ],
  },
});
const statuses = (tx.entry ?? []).map((e) => e.response?.status);
check(tx.type === 'transaction-response' && statuses.length === 2 && statuses.every((s) => s.startsWith('201')), 'the transaction creates both', tx);
const newPatient = tx.entry[0].response.location.split('/_history/')[0];
const appt = await client.read({ resourceType: 'Appointment', id: tx.entry[1].response.location.split('/')[1] });
const actors = appt.participant.map((p) => p.actor.reference);
check(actors.includes(newPatient) && appt.start.startsWith(run.start.slice(0, 16)), "the transaction's Appointment is the new chart's, at the time asked", appt);
const again = await status(() => client.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry: [
  { fullUrl: ref, resource: { resourceType: 'Patient', name: [{ family, given: ['Twice'] }], gender: 'male', birthDate: '1985-06-07' }, request: { method: 'POST', url: 'Patient' } },
  { resource: { ...appt, id: undefined, meta: undefined, participant: [{ actor: { reference: ref }, status: 'accepted' }, ...appt.participant.filter((p) => !p.actor.reference.startsWith('Patient/'))] },
    request: { method: 'POST', url: 'Appointment' } },
] } }));
check(again.status === 409 && again.body?.resourceType === 'OperationOutcome', 'a transaction into the full slot is refused 409', again);
const twice = await client.search({ resourceType: 'Patient', searchParams: { family, given: 'Twice' } });
check((twice.entry?.length ?? 0) === 0, "the refused transaction's chart was not kept", twice);
console.log('fhir-kit-client run passed');
process.exit(0);
