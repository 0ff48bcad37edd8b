/**
 * Tokens across an upgrade, judged from the API: which authorizations nobody but InfluxDB holds
 * the plaintext of (before), whether the new version hashed them (the API stops returning the
 * plaintext; the server logs the migration), and whether every token whose plaintext is known
 * still authenticates with the same scope.
 *
 * InfluxDB 2.9 hashes tokens by default (`--use-hashed-tokens`, env INFLUXD_USE_HASHED_TOKENS,
 * default true; authorization/storage.go): on every start with hashing on, raw tokens in the bolt
 * store are hashed and the raw value is cleared, so the API can never return them again, and
 * neither turning hashing off nor a rollback brings them back. The raw values remain in freed
 * pages of influxd.bolt until overwritten: a copy of the file stays sensitive.
 */
import { influxApi } from '../influx/http.ts';
import type { Capture, CapturedAuthorization } from './capture.ts';
import { type Finding, listed, type Severity } from './findings.ts';
import { upgradeTargets } from './targets.ts';

/** The env variable and flag that keep 2.9's hashing off (cmd/influxd/launcher/cmd.go). */
export const HASHING_OFF = {
  env: 'INFLUXD_USE_HASHED_TOKENS',
  value: 'false',
  flag: '--use-hashed-tokens=false',
};

/** Plaintexts somebody outside InfluxDB holds: label (where it is kept) -> value. */
export type HeldTokens = ReadonlyMap<string, string>;

export const describeAuth = (a: CapturedAuthorization) =>
  `${a.id} "${a.description}" (org ${a.org}; ${a.permissions.length} permissions: ${listed(a.permissions, (p) => p, 3)})`;

/** Active authorizations and who holds each plaintext ('' = nobody but InfluxDB). */
export function holders(c: Capture, held: HeldTokens): { auth: CapturedAuthorization; holder: string }[] {
  const byValue = new Map<string, string>();
  for (const [label, value] of held) if (value) byValue.set(value, label);
  return c.authorizations
    .filter((a) => a.status === 'active')
    .map((auth) => ({ auth, holder: auth.plaintext ? (byValue.get(auth.plaintext) ?? '') : '' }));
}

/** Before the upgrade: every authorization in use whose plaintext nobody holds. */
export function unheldTokens(before: Capture, held: HeldTokens, to: string): Finding {
  const all = holders(before, held);
  const unheld = all.filter((h) => !h.holder);
  const unreadable = unheld.filter((h) => !h.auth.readable);
  return {
    id: 'tokens-unheld',
    ok: unheld.length === 0,
    severity: 'warn',
    service: upgradeTargets().influxdb,
    what: `authorizations in use (${all.length}) whose plaintext is held outside InfluxDB, before the upgrade to ${to}`,
    expected: 'every plaintext stored by its client or a secrets store',
    measured:
      unheld.length === 0
        ? `all ${all.length} held (${listed(all, (h) => `${h.auth.id} by ${h.holder}`)})`
        : `${unheld.length} held by nobody but InfluxDB: ${listed(unheld, (h) => describeAuth(h.auth))}${unreadable.length ? ` (${unreadable.length} already hashed: no longer readable from the API at all)` : ''}`,
    action: `store these plaintexts before upgrading (read them now: GET /api/v2/authorizations returns them while unhashed), or start ${to} with ${HASHING_OFF.env}=${HASHING_OFF.value} (${HASHING_OFF.flag}) until they are stored; once hashed they cannot be read back`,
  };
}

/** After the upgrade: did the new version hash the tokens? From the API and the migration log. */
export function hashingVerdict(
  before: Capture,
  after: Capture,
  toLogs: string,
): Finding & { hashed: string[] } {
  const now = new Map(after.authorizations.map((a) => [a.id, a]));
  const hashed = before.authorizations.filter((a) => a.readable && now.get(a.id) && !now.get(a.id)?.readable);
  const stillReadable = after.authorizations.filter((a) => a.readable).length;
  const migration = /Migrating raw tokens to hashed tokens[^\n]*?"?count"?[=:]\s*"?(\d+)/.exec(toLogs);
  const logged = migration
    ? `; its log: "Migrating raw tokens to hashed tokens" count=${migration[1]}`
    : '; no migration line in its log';
  return {
    id: 'tokens-hashed',
    hashed: hashed.map((a) => a.id),
    ok: hashed.length === 0,
    severity: 'warn',
    service: upgradeTargets().influxdb,
    what: `token storage on ${after.version} after its first start`,
    expected: 'plaintexts still returned by the API (no hashing)',
    measured: `${after.version} hashed ${hashed.length} of ${before.authorizations.length} tokens on first start (API returns no plaintext; ${stillReadable} still readable)${logged}`,
    action:
      hashed.length > 0
        ? `capture plaintext tokens before upgrading: ${after.version} hashed ${hashed.length} tokens on first start and neither a rollback nor ${HASHING_OFF.env}=false brings them back; a copy of influxd.bolt made before or after stays sensitive (old plaintexts remain in freed pages)`
        : 'none',
    detail: hashed.length ? `  hashed: ${listed(hashed, describeAuth, 20)}` : undefined,
  };
}

export interface ScopeProbe {
  status: number;
  /** org/bucket names the token can list. */
  buckets: string[];
}

/** What a token can see: GET /api/v2/buckets with it (401: not accepted). */
export async function probeScope(url: string, token: string): Promise<ScopeProbe> {
  const api = influxApi(url, token);
  const res = await api.call<{ buckets?: { name: string; orgID: string }[] }>(
    'GET',
    '/api/v2/buckets?limit=100',
    {
      expect: [200, 401, 403, 404],
    },
  );
  return {
    status: res.status,
    buckets: (res.body?.buckets ?? []).map((b) => `${b.orgID}/${b.name}`).sort(),
  };
}

export interface TokenScopeCheck {
  label: string;
  authId?: string;
  before: ScopeProbe;
  after: ScopeProbe;
}

/** Every known token still authenticates, sees the same buckets, and keeps the same permissions. */
export function compareTokenScopes(
  checks: TokenScopeCheck[],
  before: Capture,
  after: Capture,
  severity: Severity = 'fail',
): Finding {
  const bad: string[] = [];
  for (const c of checks) {
    if (c.after.status !== 200)
      bad.push(`${c.label}: HTTP ${c.before.status} before, ${c.after.status} after`);
    else if (c.before.buckets.join() !== c.after.buckets.join())
      bad.push(
        `${c.label}: sees ${c.before.buckets.length} buckets before, ${c.after.buckets.length} after (${listed(c.after.buckets, (b) => b, 5)})`,
      );
  }
  const now = new Map(after.authorizations.map((a) => [a.id, a]));
  for (const a of before.authorizations) {
    const b = now.get(a.id);
    if (!b) bad.push(`${a.id} "${a.description}": gone`);
    else if (b.permissions.join() !== a.permissions.join() || b.status !== a.status)
      bad.push(
        `${a.id} "${a.description}": scope ${a.status} [${a.permissions.join(', ')}] -> ${b.status} [${b.permissions.join(', ')}]`,
      );
  }
  return {
    id: 'tokens-scope',
    ok: bad.length === 0 && checks.length > 0,
    severity,
    service: upgradeTargets().influxdb,
    what: `${checks.length} tokens with a known plaintext and ${before.authorizations.length} authorizations on ${after.version}`,
    expected: 'each still authenticates (200), sees the same buckets and keeps its permissions and status',
    measured:
      bad.length === 0
        ? `all ${checks.length} authenticate with the same scope; ${before.authorizations.length} authorizations unchanged`
        : `${bad.length} differ`,
    action: 'do not upgrade until every client token works on the candidate',
    detail: bad.length ? `  ${bad.join('\n  ')}` : undefined,
  };
}
