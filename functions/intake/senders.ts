import { domainToASCII } from 'node:url';
import { ConfigurationError } from '../common/config.ts';

/** A host name of at least two labels: letters, digits and hyphens (IDN already in its ASCII form). */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** The local part of an address as senders write it (RFC 5322 dot-atom; no quoted strings). */
const LOCAL_PART = /^[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*$/;

/** A domain in its comparable form (lower case, punycode), or null when it is not a host name. */
function normalizeDomain(domain: string): string | null {
  const ascii = domainToASCII(domain.trim().replace(/\.$/, '')).toLowerCase();
  return ascii && DOMAIN.test(ascii) ? ascii : null;
}

/** An address split into its comparable parts: the local part lower-cased without a `+tag`, the domain normalised. */
function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at > 64) return null;
  const local = address.slice(0, at);
  const domain = normalizeDomain(address.slice(at + 1));
  if (!domain || !LOCAL_PART.test(local)) return null;
  // Sub-addressing (`fax+caf_=...@firm.com`, what Gmail's forwarding writes) belongs to the mailbox's owner.
  const plus = local.indexOf('+');
  return { local: (plus > 0 ? local.slice(0, plus) : local).toLowerCase(), domain };
}

/**
 * Who may send letters by email (`IMR_EMAIL_SENDERS` locally, `EMAIL_SENDERS` on AWS): a
 * comma-separated list of addresses (`fax@firm.com`) and domains (`@efax.com`, which also admits
 * its subdomains: `message@inbound.efax.com`). An address matches whatever `+tag` it carries
 * (`fax+forwarded@firm.com` is `fax@firm.com`). Letters are medical records: mail from anyone
 * else is refused, never read.
 */
export class SenderAllowList {
  private constructor(
    private readonly addresses: ReadonlySet<string>,
    private readonly domains: readonly string[],
  ) {}

  /**
   * Reads a list, or throws a {@link ConfigurationError} naming `variable` and the position of
   * the entry at fault, never a value (the list names the firm's correspondents).
   */
  static parse(value: string | undefined, variable: string): SenderAllowList {
    const entries = (value ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.length === 0) {
      throw new ConfigurationError(
        `${variable} is not set: email intake needs the senders it may accept, e.g. ${variable}=@efax.com,fax@yourfirm.com (addresses, or @domain for a whole domain)`,
      );
    }
    const addresses = new Set<string>();
    const domains: string[] = [];
    entries.forEach((entry, index) => {
      if (entry.startsWith('@')) {
        const domain = normalizeDomain(entry.slice(1));
        if (!domain) throw new ConfigurationError(`${variable}: entry ${index + 1} is not a domain (write @example.com; no wildcards)`);
        domains.push(domain);
        return;
      }
      const parts = splitAddress(entry);
      if (!parts) throw new ConfigurationError(`${variable}: entry ${index + 1} is neither an address (name@example.com) nor a domain (@example.com)`);
      addresses.add(`${parts.local}@${parts.domain}`);
    });
    return new SenderAllowList(addresses, domains);
  }

  /** Whether mail from `address` may be read. An empty or malformed address (a bounce's `<>`) never is. */
  allows(address: string | null | undefined): boolean {
    const parts = address ? splitAddress(address.trim()) : null;
    if (!parts) return false;
    if (this.addresses.has(`${parts.local}@${parts.domain}`)) return true;
    return this.domains.some((domain) => parts.domain === domain || parts.domain.endsWith(`.${domain}`));
  }
}

/** `@domain` of an address, for status lines: who sent, without naming the person. */
export function senderDomain(address: string | null | undefined): string {
  const at = address?.lastIndexOf('@') ?? -1;
  const domain = at >= 0 ? normalizeDomain(address!.slice(at + 1)) : null;
  return domain ? `@${domain}` : '(no sender)';
}
