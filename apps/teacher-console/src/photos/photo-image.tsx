// A photo or thumbnail from the hub's staff routes. An <img src> cannot send the bearer token, so
// the picture is fetched through the API client (TanStack Query, keyed by its path, kept while
// the page lives) and shown from a blob: URL (the console's CSP allows blob: images), revoked
// when the picture leaves the screen. Thumbnails load only when they come near the screen.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, describeError } from '../api/client';

/** How far outside the screen a lazy picture starts loading, so a scroll finds it ready. */
const NEAR_SCREEN = '300px';

/** A picture's bytes, as TanStack Query keeps them (by API path). */
function usePictureBlob(path: string, enabled: boolean) {
  return useQuery({
    queryKey: [path],
    queryFn: ({ signal }) => api<Blob>(path, { as: 'blob', signal }),
    enabled,
    // A stored photo and its thumbnail never change: one fetch per page visit.
    staleTime: Infinity,
    gcTime: 5 * 60_000,
    // A thumbnail the hub could not make (a HEIC sharp cannot read) will not appear by asking again.
    retry: (failures, error) =>
      failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
  });
}

/** A blob: URL for `blob` while the component shows it; revoked when it goes. */
function useObjectUrl(blob: Blob | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const next = URL.createObjectURL(blob);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [blob]);
  return url;
}

/** True once the element has come within NEAR_SCREEN of the screen (and stays true). */
function useNearScreen<T extends Element>(lazy: boolean) {
  const ref = useRef<T>(null);
  const [near, setNear] = useState(!lazy);
  useEffect(() => {
    const element = ref.current;
    if (near || !element) {
      return;
    }
    if (typeof IntersectionObserver === 'undefined') {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { rootMargin: NEAR_SCREEN },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [near]);
  return [ref, near] as const;
}

export interface PhotoImageProps {
  /** The hub's path for the picture (`thumbnailUrl` or `pictureUrl` of a Photo). */
  path: string;
  /** What the picture is, for screen readers ("Photo taken at 14:22 …"). */
  alt: string;
  /** Load only when near the screen (thumbnails in a long list). */
  lazy?: boolean;
  /** The frame's class: `photo-thumb` or `photo-full`. */
  className: string;
  /** Words shown instead when the hub cannot give the picture. */
  unavailableText?: string;
  /**
   * When the hub refuses with a reason of its own (a 4xx: the file was moved or deleted in the
   * store, not yours), show its words instead of `unavailableText`: "try again later" would be
   * wrong. For the full picture, where there is room for a sentence.
   */
  sayWhy?: boolean;
}

/**
 * The picture at `path` once fetched; until then a frame of the same size saying it is loading,
 * and if the hub refuses, `unavailableText` in words (never a broken-image icon).
 */
export function PhotoImage({
  path,
  alt,
  lazy = false,
  className,
  unavailableText = 'No preview',
  sayWhy = false,
}: PhotoImageProps) {
  const [ref, near] = useNearScreen<HTMLSpanElement>(lazy);
  const picture = usePictureBlob(path, near);
  const url = useObjectUrl(picture.data);
  let content;
  if (url) {
    content = <img src={url} alt={alt} className="photo-img" decoding="async" />;
  } else if (picture.error) {
    const refusal = picture.error;
    const words =
      sayWhy && refusal instanceof ApiError && refusal.status >= 400 && refusal.status < 500
        ? describeError(refusal)
        : unavailableText;
    content = (
      <span className="photo-placeholder" role="img" aria-label={`${alt}: ${words}`}>
        {words}
      </span>
    );
  } else {
    content = (
      <span className="photo-placeholder" role="img" aria-label={`${alt}: loading`}>
        Loading…
      </span>
    );
  }
  return (
    <span ref={ref} className={`photo-frame ${className}`}>
      {content}
    </span>
  );
}
