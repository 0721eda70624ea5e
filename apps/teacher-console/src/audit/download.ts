// Saves a file the hub sent (a Blob read through the API client with the bearer token) the way
// a browser saves a download: an object URL on a link with `download`, clicked, then let go.

/** Starts the browser's download of `blob` as `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Released a minute later: revoking at once can cancel a download Chromium has not started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
