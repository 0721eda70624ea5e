// An asset's printable label (issue 13): one SVG holding a QR code and a Code 128 barcode of the
// asset tag, the tag in text and what the asset is. The codes are drawn by well-kept libraries
// (`qrcode`, `bwip-js`), each as its own SVG, nested here at a fixed place; the label is 60 × 25
// units of 1 mm, so it prints at that size on a sheet of labels.
import bwipjs from 'bwip-js';
import * as QRCode from 'qrcode';

/** What a label shows. */
export interface LabelInput {
  assetTag: string;
  /** A second line under the tag: the model or the kind. */
  caption: string;
  /** The school's name, in small print at the top. */
  schoolName: string;
}

/** The label's size in millimetres. */
export const LABEL_WIDTH_MM = 60;
export const LABEL_HEIGHT_MM = 25;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/**
 * Takes a whole `<svg ...>...</svg>` document and places it as a nested `<svg>` at (x, y) with
 * the given size, keeping its own viewBox (so it scales to fit).
 *
 * @throws Error when the library's output has no viewBox (never seen; would be a library change)
 */
function nest(svg: string, x: number, y: number, width: number, height: number): string {
  const open = /<svg\b[^>]*>/.exec(svg);
  const viewBox = open ? /viewBox="([^"]+)"/.exec(open[0])?.[1] : undefined;
  if (!open || !viewBox) {
    throw new Error('A barcode library gave an SVG without a viewBox');
  }
  const inner = svg.slice(open.index + open[0].length, svg.lastIndexOf('</svg>'));
  return (
    `<svg x="${x}" y="${y}" width="${width}" height="${height}" viewBox="${viewBox}" ` +
    `preserveAspectRatio="xMidYMid meet" shape-rendering="crispEdges">${inner}</svg>`
  );
}

/**
 * The label of one asset, as a standalone SVG document (UTF-8 text). The QR code carries the tag
 * at error correction level M with its quiet zone; the Code 128 carries the tag as it is.
 *
 * @throws Error from bwip-js when the tag has characters Code 128 cannot carry (never for tags the
 *   API accepts: ASCII letters, digits, `.`, `-`, `_`)
 */
export async function assetLabelSvg(input: LabelInput): Promise<string> {
  const qr = await QRCode.toString(input.assetTag, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
  });
  const code128 = bwipjs.toSVG({
    bcid: 'code128',
    text: input.assetTag,
    height: 8,
    includetext: false,
    paddingwidth: 4,
    paddingheight: 1,
    backgroundcolor: 'FFFFFF',
  });
  const w = LABEL_WIDTH_MM;
  const h = LABEL_HEIGHT_MM;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}mm" height="${h}mm" viewBox="0 0 ${w} ${h}">`,
    `<title>${escapeXml(`Asset tag ${input.assetTag}`)}</title>`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    nest(qr, 0.5, 0.5, 24, 24),
    `<text x="25.5" y="4" font-family="sans-serif" font-size="2.6" fill="#000000">${escapeXml(input.schoolName)}</text>`,
    `<text x="25.5" y="9" font-family="sans-serif" font-size="4.2" font-weight="bold" fill="#000000">${escapeXml(input.assetTag)}</text>`,
    `<text x="25.5" y="12.5" font-family="sans-serif" font-size="2.6" fill="#000000">${escapeXml(input.caption)}</text>`,
    nest(code128, 25, 14, 34.5, 10.5),
    '</svg>',
    '',
  ].join('\n');
}
