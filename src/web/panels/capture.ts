// Capture from the map: the /capture URL of an interface or namespace (for Wireshark: `curl -N
// URL | wireshark -k -i -`) and a button that records a few seconds into a pcapng download. The
// download is read with the page's token; it keeps whole pcapng blocks only (data/pcapng.ts).

import { wholeBlocks } from "../data/pcapng.ts";
import { authorization } from "../data/token.ts";
import { esc } from "./html.ts";

const CAPTURE_SECONDS = 5;

/** The capture URL of a namespace (its node id) and, optionally, one of its interfaces. */
export function captureUrl(namespaceId: string, interfaceName: string | null): string {
  const params = new URLSearchParams({ target: namespaceId });
  if (interfaceName !== null) params.set("nif", interfaceName);
  return `${location.origin}/capture?${params}`;
}

export function captureSection(url: string, label: string): string {
  return `<section class="capture"><h3>Capture</h3>
    <p><a class="capture-url" href="${esc(url)}">${esc(url)}</a></p>
    <p class="hint">curl -N '${esc(url)}' | wireshark -k -i -</p>
    <button type="button" class="capture-download" data-url="${esc(url)}" data-label="${esc(label)}">Download ${CAPTURE_SECONDS} s as pcapng</button>
    <span class="capture-status" role="status"></span></section>`;
}

/** Records `seconds` of `url` and offers it as a file; resolves with the bytes kept. */
export async function downloadCapture(url: string, label: string, status: (text: string) => void, seconds = CAPTURE_SECONDS): Promise<number> {
  const stop = new AbortController();
  const headers: Record<string, string> = {};
  const auth = authorization();
  if (auth) headers.authorization = auth;
  status("starting…");
  const res = await fetch(url, { headers, signal: stop.signal });
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    let message = text;
    try {
      message = JSON.parse(text).errors?.[0]?.message ?? text;
    } catch {}
    throw new Error(`capture refused (${res.status}): ${message}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const timer = setTimeout(() => stop.abort(), seconds * 1000);
  const reader = res.body.getReader();
  status(`capturing for ${seconds} s…`);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const keep = wholeBlocks(bytes);
  if (keep === 0) throw new Error("the capture sent no pcapng data");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes.subarray(0, keep)], { type: "application/vnd.tcpdump.pcap" }));
  a.download = `wiresight-${label.replace(/[^\w.-]+/g, "_")}-${new Date().toISOString().replace(/[:.]/g, "-")}.pcapng`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  status(`saved ${keep} bytes`);
  return keep;
}
