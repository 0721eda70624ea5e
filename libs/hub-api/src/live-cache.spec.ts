// A live event written into the cache is not overwritten by a fetch that began before it.
import { QueryClient, QueryObserver } from '@tanstack/query-core';
import { writeLive } from './live-cache';

interface Device {
  id: string;
  online: boolean;
}

describe('writeLive', () => {
  it('drops a fetch that began before the event, and fetches again', async () => {
    const queryClient = new QueryClient();
    const key = ['/api/devices/d1'];
    let online = true;
    let fetches = 0;
    let releaseFirst: () => void = () => undefined;
    const queryFn = async (): Promise<Device> => {
      fetches += 1;
      const seen = online; // what the hub says when the request reaches it
      if (fetches === 2) {
        await new Promise<void>((resolve) => {
          releaseFirst = resolve;
        });
      }
      return { id: 'd1', online: seen };
    };
    // A screen shows the device (an active query).
    const observer = new QueryObserver<Device>(queryClient, { queryKey: key, queryFn });
    const unsubscribe = observer.subscribe(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queryClient.getQueryData(key)).toEqual({ id: 'd1', online: true });

    // A refetch starts while the hub still has the device online...
    void queryClient.invalidateQueries({ queryKey: key });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // ...the device goes offline, and the live event arrives before that fetch's answer.
    online = false;
    writeLive<Device>(queryClient, key, (device) =>
      device ? { ...device, online: false } : device,
    );
    releaseFirst();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(queryClient.getQueryData(key)).toEqual({ id: 'd1', online: false });
    expect(fetches).toBe(3);
    unsubscribe();
  });
});
