import { ParsedInbound, parseInbound } from '../../../adapters/medcom/receipt.parser';
import { refuse } from '../../../adapters/medcom/xml/safe-xml';

/**
 * How ReceiptInbox turns an in-folder file into a parsed receipt or message. Files over the size
 * limit (MEDCOM_INBOX_MAX_BYTES, 1 MiB by default; a receipt is a few kB) are refused unread with
 * RECEIPT_TOO_LARGE, so they go to failed/ with that reason. The rest is parsed by `parse`: in the
 * service on a worker thread under a time budget (CpuWork.parseInbound), so a large or contrived file
 * never blocks the event loop; tests may parse in place.
 */
export const INBOUND_READER = Symbol('INBOUND_READER');
export type InboundReader = (bytes: Buffer) => Promise<ParsedInbound>;

export const DEFAULT_INBOX_MAX_BYTES = 1024 * 1024;

export function inboundReader(
  maxBytes = DEFAULT_INBOX_MAX_BYTES,
  parse: (bytes: Buffer) => Promise<ParsedInbound> = async (b) => parseInbound(b),
): InboundReader {
  return async (bytes) => {
    if (bytes.length > maxBytes)
      throw refuse('RECEIPT_TOO_LARGE', `file is over ${maxBytes} bytes (MEDCOM_INBOX_MAX_BYTES) and is not parsed`);
    return parse(bytes);
  };
}
