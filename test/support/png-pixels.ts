/*
 * What a reader would see in a PNG the bot sent: its size, how many colours, how much of it is
 * ink rather than background, and how many clearly green and clearly red pixels (profit bars).
 * Decoded with @napi-rs/canvas, the renderer's own canvas.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';

export interface PixelStats {
  width: number;
  height: number;
  /** Distinct colours after rounding each channel to 32 levels. */
  colours: number;
  /** Share of pixels that are not the white background. */
  inked: number;
  green: number;
  red: number;
  /** Pixels that are not fully opaque (a transparent PNG looks black in Telegram's dark mode). */
  transparent: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes `png` (throws when it is not a PNG) and counts its pixels. */
export async function pngPixels(png: Uint8Array | undefined): Promise<PixelStats> {
  const bytes = Buffer.from(png ?? []);
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`not a PNG (${bytes.length} bytes)`);
  const image = await loadImage(bytes);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const colours = new Set<number>();
  let inked = 0;
  let green = 0;
  let red = 0;
  let transparent = 0;
  for (let index = 0; index < data.length; index += 4) {
    const r = data[index] ?? 0;
    const g = data[index + 1] ?? 0;
    const b = data[index + 2] ?? 0;
    if ((data[index + 3] ?? 0) !== 255) transparent++;
    colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
    if (r < 245 || g < 245 || b < 245) inked++;
    if (g > 120 && g > r + 60 && g > b + 40) green++;
    if (r > 170 && r > g + 100 && r > b + 100) red++;
  }
  return {
    width: image.width,
    height: image.height,
    colours: colours.size,
    inked: inked / (data.length / 4),
    green,
    red,
    transparent,
  };
}
