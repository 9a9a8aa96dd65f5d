'use client';

import { useEffect } from 'react';

/** What the embedded view posts to the page that frames it (docs/embedding.md). */
type EmbedResizeMessage = { type: 'hookrelay:resize'; height: number };

/**
 * In a frame, tells the framing page the height of the content (the element `targetId`) whenever
 * it changes, so the page can size its <iframe> to fit. The message goes to the origins of
 * PORTAL_FRAME_ANCESTORS only, never to `*`: the browser delivers it only when the parent is one of
 * them (the others are dropped), so a page that framed us by other means learns nothing.
 */
export function EmbedResizer({ targetId, origins }: { targetId: string; origins: readonly string[] }) {
  useEffect(() => {
    const el = document.getElementById(targetId);
    if (window.parent === window || !el) return;
    let last = -1;
    const post = () => {
      const height = Math.ceil(el.getBoundingClientRect().height);
      if (height === last) return;
      last = height;
      const message: EmbedResizeMessage = { type: 'hookrelay:resize', height };
      for (const origin of origins) window.parent.postMessage(message, origin);
    };
    const observer = new ResizeObserver(post);
    observer.observe(el);
    post();
    return () => observer.disconnect();
  }, [targetId, origins]);
  return null;
}
