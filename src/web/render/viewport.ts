// Pan and zoom: the drawing sits in one <g> whose transform is all that changes, so moving around
// costs the browser a repaint, never a re-layout. Wheel zooms about the pointer, dragging the
// background pans, `fit` shows everything, `focus` centres one element.

export class Viewport {
  #x = 0;
  #y = 0;
  #k = 1;
  #drag: { x: number; y: number; moved: boolean } | null = null;
  /** Set while a drag moved the view, so the click that ends it selects nothing. */
  dragged = false;

  constructor(
    readonly svg: SVGSVGElement,
    readonly layer: SVGGElement,
  ) {
    svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      this.zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)));
    }, { passive: false });
    svg.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      this.#drag = { x: e.clientX, y: e.clientY, moved: false };
      this.dragged = false;
    });
    window.addEventListener("pointermove", (e) => {
      if (!this.#drag) return;
      const dx = e.clientX - this.#drag.x;
      const dy = e.clientY - this.#drag.y;
      if (!this.#drag.moved && Math.hypot(dx, dy) < 4) return;
      this.#drag.moved = true;
      this.dragged = true;
      this.#x += dx;
      this.#y += dy;
      this.#drag.x = e.clientX;
      this.#drag.y = e.clientY;
      this.#apply();
    });
    window.addEventListener("pointerup", () => (this.#drag = null));
  }

  zoomAt(px: number, py: number, factor: number): void {
    const k = Math.min(4, Math.max(0.02, this.#k * factor));
    this.#x = px - ((px - this.#x) * k) / this.#k;
    this.#y = py - ((py - this.#y) * k) / this.#k;
    this.#k = k;
    this.#apply();
  }

  /** Shows the whole drawing (`width` × `height`), at most at natural size. */
  fit(width: number, height: number): void {
    const r = this.svg.getBoundingClientRect();
    if (width <= 0 || height <= 0 || r.width === 0) return;
    this.#k = Math.min(1, (r.width - 20) / width, (r.height - 20) / height);
    this.#x = (r.width - width * this.#k) / 2;
    this.#y = Math.max(10, (r.height - height * this.#k) / 2);
    this.#apply();
  }

  /** Centres a rectangle of the drawing, zooming in to read it when the view is far out. */
  focus(x: number, y: number, width: number, height: number): void {
    const r = this.svg.getBoundingClientRect();
    this.#k = Math.max(this.#k, Math.min(1, r.width / (width * 3), r.height / (height * 3)));
    this.#x = r.width / 2 - (x + width / 2) * this.#k;
    this.#y = r.height / 2 - (y + height / 2) * this.#k;
    this.#apply();
  }

  #apply(): void {
    this.layer.setAttribute("transform", `translate(${this.#x},${this.#y}) scale(${this.#k})`);
    this.svg.dataset.zoom = this.#k.toFixed(3);
  }
}
