// Format sniffing from content, not the extension (CONTRACT §1).

export type ModelFormat = 'onnx' | 'pmml' | 'pfa';

export function detectFormat(bytes: Uint8Array): ModelFormat | undefined {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  const head = new TextDecoder().decode(bytes.subarray(i, Math.min(bytes.length, i + 4096)));
  if (head.startsWith('<')) return /<PMML[\s>]/.test(head) ? 'pmml' : undefined;
  if (head.startsWith('{')) return 'pfa';
  if (/^(input|output|action|name|method|cells|pools|fcns|begin|end)\s*:/m.test(head)) return 'pfa';
  // ONNX ModelProto starts with a field key: ir_version (field 1, varint) is the norm.
  if (bytes.length > 2 && (bytes[i] === 0x08 || bytes[i] === 0x12 || bytes[i] === 0x1a || bytes[i] === 0x3a || bytes[i] === 0x42)) return 'onnx';
  return undefined;
}
