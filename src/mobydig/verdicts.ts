// The message stream of Ghostwire's /mobydig (siemens/mobydig's digger, verifier and address
// cache, as ghostwire mobydig/mobydig.go serialises them): one JSON object per message,
// `{"fqdn": "name.", "address": "…", "quality": "…", "error": "…"}` with empty fields left out.
//
//   a name is submitted                 {fqdn, quality: unverified}
//   it resolved to an address           {fqdn, address, quality: unverified}
//   the address is being checked        {fqdn, address, quality: verifying}   (every name with it)
//   the check is over                   {fqdn, address, quality: verified | invalid, error?}
//
// An address is checked once however many names resolve to it; a name that resolves to an
// address already checked (or being checked) gets that address's current quality at once.
// Beyond Ghostwire: a name that resolves to nothing ends with {fqdn, quality: invalid, error}
// (Ghostwire says nothing more about it; its UI ignores messages without an address).

export type Quality = "unverified" | "verifying" | "verified" | "invalid";

export interface Verdict {
  fqdn: string;
  address?: string;
  quality: Quality;
  error?: string;
}

const RANK: Record<Quality, number> = { unverified: 0, verifying: 1, invalid: 2, verified: 3 };

/** DNS names are absolute in Ghostwire's messages: "web" becomes "web." (miekg/dns Fqdn). */
export function fqdn(name: string): string {
  return name.endsWith(".") ? name : `${name}.`;
}

export class VerdictStream {
  private readonly addresses = new Map<string, { quality: Quality; error?: string; names: string[] }>();

  constructor(private readonly emit: (v: Verdict) => void) {}

  submitted(name: string): void {
    this.emit({ fqdn: fqdn(name), quality: "unverified" });
  }

  /** `name` resolved to `address`; true when the address is new and must be checked. */
  resolved(name: string, address: string): boolean {
    const f = fqdn(name);
    const known = this.addresses.get(address);
    if (!known) {
      this.addresses.set(address, { quality: "unverified", names: [f] });
      this.emit({ fqdn: f, address, quality: "unverified" });
      return true;
    }
    if (!known.names.includes(f)) {
      known.names.push(f);
      this.emit(verdict(f, address, known.quality, known.error));
    }
    return false;
  }

  /** `name` resolved to nothing (NXDOMAIN, no A/AAAA, no answer in time). */
  unresolved(name: string, error: string): void {
    this.emit({ fqdn: fqdn(name), quality: "invalid", error });
  }

  /** The check of `address` moved on: verifying, then verified or invalid (with the reason). */
  checked(address: string, quality: Quality, error?: string): void {
    const known = this.addresses.get(address);
    if (!known || RANK[quality] <= RANK[known.quality]) return;
    known.quality = quality;
    known.error = error;
    for (const f of known.names) this.emit(verdict(f, address, quality, error));
  }
}

function verdict(fqdn: string, address: string, quality: Quality, error?: string): Verdict {
  return error ? { fqdn, address, quality, error } : { fqdn, address, quality };
}
