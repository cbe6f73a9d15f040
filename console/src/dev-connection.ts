/**
 * What `npm run dev` hands its own pages so the demo shop is connected without typing a key.
 * Only the local dev server serves it (scripts/dev.ts); a deployed console never has it.
 */
export interface DevConnection {
  shopName: string;
  secretKey: string;
  publishableKey: string;
  customerToken: string;
  sampleCustomer: string;
}

/** Given the URL the page was told about (a data attribute), returns the dev connection, or null. */
export async function loadDevConnection(url: string | undefined): Promise<DevConnection | null> {
  if (!url) return null;
  try {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) return null;
    return (await response.json()) as DevConnection;
  } catch {
    return null;
  }
}
