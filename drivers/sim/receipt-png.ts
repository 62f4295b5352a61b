// Renders a decoded receipt to a PNG preview the way the paper would look: font A is 12×24 dots,
// GS ! magnifies it, QR codes are re-drawn from their payload (qrcode) at the printed module size,
// raster images are copied dot for dot. Skia (@napi-rs/canvas) draws and encodes the PNG.
import { createCanvas } from '@napi-rs/canvas';
import QRCode from 'qrcode';
import type { DecodedReceipt } from './escpos-decoder.js';

const CHAR_W = 12;
const CHAR_H = 24;
const MARGIN = 16;

export function renderReceiptPng(receipt: DecodedReceipt, dots = 576): Buffer {
  // First pass: heights.
  const blocks = receipt.items.map((item) => {
    switch (item.kind) {
      case 'text':
        return Math.max(1, ...item.spans.map((s) => s.height)) * CHAR_H + 6;
      case 'image':
        return item.height;
      case 'qr': {
        const size = QRCode.create(item.data, { errorCorrectionLevel: item.errorLevel }).modules
          .size;
        return size * item.moduleSize + 8;
      }
      case 'barcode':
        return 60;
      case 'feed':
        return item.lines * (CHAR_H + 6);
    }
  });
  const height = blocks.reduce((a, b) => a + b, 0) + MARGIN * 2 + (receipt.cut ? 24 : 0);
  const width = dots + MARGIN * 2;
  const canvas = createCanvas(width, Math.max(height, 64));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, canvas.height);
  ctx.fillStyle = '#000000';
  let y = MARGIN;
  receipt.items.forEach((item, index) => {
    const h = blocks[index] ?? 0;
    if (item.kind === 'text') {
      const lineWidth = item.spans.reduce((a, s) => a + [...s.text].length * CHAR_W * s.width, 0);
      let x =
        MARGIN +
        (item.align === 'center'
          ? (dots - lineWidth) / 2
          : item.align === 'right'
            ? dots - lineWidth
            : 0);
      const lineH = h - 6;
      for (const span of item.spans) {
        const w = [...span.text].length * CHAR_W * span.width;
        ctx.save();
        ctx.translate(x, y + lineH);
        ctx.scale(span.width, span.height);
        ctx.font = `${span.bold ? 'bold ' : ''}20px "DejaVu Sans Mono", monospace`;
        if (span.invert) {
          ctx.fillRect(0, -CHAR_H, w / span.width, CHAR_H);
          ctx.fillStyle = '#ffffff';
        }
        ctx.textBaseline = 'bottom';
        [...span.text].forEach((ch, k) => ctx.fillText(ch, k * CHAR_W, -2));
        if (span.underline) ctx.fillRect(0, -1, w / span.width, 1);
        ctx.restore();
        ctx.fillStyle = '#000000';
        x += w;
      }
    } else if (item.kind === 'image') {
      const rowBytes = Math.ceil(item.width / 8);
      const image = ctx.createImageData(item.width, item.height);
      for (let yy = 0; yy < item.height; yy++) {
        for (let xx = 0; xx < item.width; xx++) {
          const on = ((item.bits[yy * rowBytes + (xx >> 3)] ?? 0) & (0x80 >> (xx & 7))) !== 0;
          const o = (yy * item.width + xx) * 4;
          const v = on ? 0 : 255;
          image.data[o] = v;
          image.data[o + 1] = v;
          image.data[o + 2] = v;
          image.data[o + 3] = 255;
        }
      }
      ctx.putImageData(image, MARGIN + Math.max(0, (dots - item.width) / 2), y);
    } else if (item.kind === 'qr') {
      const modules = QRCode.create(item.data, { errorCorrectionLevel: item.errorLevel }).modules;
      const size = modules.size * item.moduleSize;
      const x0 = MARGIN + (dots - size) / 2;
      for (let r = 0; r < modules.size; r++) {
        for (let c = 0; c < modules.size; c++) {
          if (modules.get(r, c)) {
            ctx.fillRect(
              x0 + c * item.moduleSize,
              y + 4 + r * item.moduleSize,
              item.moduleSize,
              item.moduleSize,
            );
          }
        }
      }
    } else if (item.kind === 'barcode') {
      ctx.font = '20px "DejaVu Sans Mono", monospace';
      ctx.fillText(`||| ${item.data} |||`, MARGIN, y + 40);
    }
    y += h;
  });
  if (receipt.cut) {
    ctx.strokeStyle = '#888888';
    ctx.setLineDash([8, 6]);
    ctx.beginPath();
    ctx.moveTo(0, y + 12);
    ctx.lineTo(width, y + 12);
    ctx.stroke();
  }
  return canvas.toBuffer('image/png');
}
