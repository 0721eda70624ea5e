// What staff see of photos (issue 14): photos by trip and by day with their thumbnails and full
// pictures, the store's state, and per device the photos waiting and stored. ICT and
// safeguarding see every photo; a trip leader sees the photos of the trips they lead. And the
// receipt a device asks for before it deletes its own copy (protocol section 5).
import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import type {
  DevicePhotoCounts,
  Photo,
  PhotoDay,
  PhotoPage,
  PhotoReceipt,
  PhotoStoreState,
} from '@app/hub-api';
import { stat } from 'node:fs/promises';
import { formatLocalTime } from '../audit/audit-text';
import { hasAnyRole, type StaffPrincipal } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { DevicesRepository } from '../devices/devices.repository';
import { PhotoEntity } from './photo.entity';
import { PhotoIngestService } from './photo-ingest.service';
import { PhotosRepository } from './photos.repository';

/** Roles that see every photo. */
const ALL_PHOTOS = ['ict', 'safeguarding'] as const;

/** A photo as staff see it (one mapping for every route). */
export function toPhotoDto(photo: PhotoEntity, timeZone: string): Photo {
  const base = `/api/photos/${photo.sha256}`;
  return {
    sha256: photo.sha256,
    storedSha256: photo.storedSha256,
    status: photo.status === 'stored' ? 'stored' : 'waiting',
    storedName: photo.storedName,
    contentType: photo.contentType,
    sizeBytes: photo.sizeBytes,
    takenAt: photo.takenAt.toISOString(),
    takenAtLocal: formatLocalTime(photo.takenAt, timeZone),
    day: photo.day,
    receivedAt: photo.receivedAt.toISOString(),
    storedAt: photo.storedAt?.toISOString() ?? null,
    deviceId: photo.deviceId,
    deviceName: photo.deviceName,
    deviceTag: photo.deviceTag,
    tripId: photo.tripId,
    tripShortName: photo.tripShortName,
    thumbnailUrl: `${base}/thumbnail`,
    pictureUrl: `${base}/picture`,
  };
}

/** The receipt of protocol section 5, for a stored photo only. */
export function toReceiptDto(photo: PhotoEntity): PhotoReceipt {
  return {
    sha256: photo.sha256,
    storedAt: (photo.storedAt as Date).toISOString(),
    storedSha256: photo.storedSha256 as string,
    ...(photo.tripId ? { tripId: photo.tripId } : {}),
  };
}

@Injectable()
export class PhotosService {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly photos: PhotosRepository,
    private readonly devices: DevicesRepository,
    private readonly ingest: PhotoIngestService,
  ) {}

  /**
   * A page of photos, newest taken first.
   *
   * @throws NotFoundException for an unknown trip; ForbiddenException for a trip leader who names
   *   no trip, or one they do not lead
   */
  async list(
    staff: StaffPrincipal,
    filter: { tripId?: string; day?: string; deviceId?: string },
    page: number,
    pageSize: number,
  ): Promise<PhotoPage> {
    await this.mayBrowse(staff, filter.tripId);
    const [rows, total] = await this.photos.findPage(filter, (page - 1) * pageSize, pageSize);
    return {
      items: rows.map((row) => toPhotoDto(row, this.config.timeZone)),
      total,
      page,
      pageSize,
    };
  }

  /** Days with photos, newest first. Same access as `list`. */
  async days(staff: StaffPrincipal, tripId?: string): Promise<PhotoDay[]> {
    await this.mayBrowse(staff, tripId);
    return this.photos.days({ tripId });
  }

  /**
   * A photo's picture file and type, as stored (or its stripped staging copy while waiting).
   *
   * @throws NotFoundException when unknown, not yet ready, or gone from a store that is there
   *   (the controller answers 503 when the store itself cannot be read); ForbiddenException when
   *   not theirs
   */
  async picture(staff: StaffPrincipal, sha256: string): Promise<{ file: string; type: string }> {
    const photo = await this.mayOpen(staff, sha256);
    const file = await this.ingest.pictureFile(photo);
    if (!file) {
      throw new NotFoundException('This photo is still being received; try again in a moment');
    }
    if (
      photo.status === 'stored' &&
      !(await isFile(file)) &&
      (await this.ingest.store.readable())
    ) {
      // The store is there and the file is not: someone moved or deleted it in the store. A 404,
      // not the 503 of a store that is away, which would invite retries that never succeed.
      throw new NotFoundException(
        `This photo is no longer in the photo store (${photo.storedName} was moved or deleted there)`,
      );
    }
    return { file, type: photo.contentType };
  }

  /**
   * A photo's thumbnail (JPEG), made now if it was not made yet (waiting for a free slot).
   *
   * @throws NotFoundException when unknown, not ready, or a kind sharp cannot read (HEVC HEIC)
   */
  async thumbnail(staff: StaffPrincipal, sha256: string): Promise<string> {
    const photo = await this.mayOpen(staff, sha256);
    const source = await this.ingest.pictureFile(photo);
    if (!source) {
      throw new NotFoundException('This photo is still being received; try again in a moment');
    }
    try {
      return await this.ingest.thumbnails.ensure(photo.sha256, source);
    } catch {
      throw new NotFoundException('No thumbnail can be made of this picture');
    }
  }

  /** Whether the store takes photos now, with how many wait and how many are stored. */
  async storeState(): Promise<PhotoStoreState> {
    const { status, staged, stored } = await this.ingest.storeState();
    return {
      available: status.problem === null,
      problem: status.problem,
      waiting: staged,
      stored,
      checkedAt: status.checkedAt.toISOString(),
    };
  }

  /**
   * Per device, the photos it reports waiting (its last `pendingPhotos`) and its photos waiting
   * at the hub and stored. By trip: the kit's devices and any that sent photos for it, counting
   * that trip's photos. By id: ICT and safeguarding only.
   */
  async deviceCounts(
    staff: StaffPrincipal,
    query: { tripId?: string; deviceIds?: string[] },
  ): Promise<DevicePhotoCounts[]> {
    let ids: string[];
    if (query.tripId !== undefined) {
      await this.mayBrowse(staff, query.tripId);
      ids = [
        ...new Set([
          ...(await this.photos.tripKitDeviceIds(query.tripId)),
          ...(await this.photos.deviceIdsWithPhotos(query.tripId)),
        ]),
      ];
    } else {
      await this.mayBrowse(staff, undefined);
      ids = [...new Set(query.deviceIds ?? [])];
    }
    const devices = await this.devices.findByIds(ids);
    const counts = await this.photos.countsByDevice(
      devices.map((d) => d.id),
      query.tripId,
    );
    return devices.map((device) => {
      const count = counts.find((c) => c.deviceId === device.id);
      return {
        deviceId: device.id,
        deviceName: device.name,
        deviceTag: device.assetTag?.trim() || device.serialNumber,
        pendingPhotos: pendingPhotosOf(device.reportedState),
        storedPhotos: count?.stored ?? 0,
        waitingPhotos: count?.waiting ?? 0,
      };
    });
  }

  /**
   * The receipt of a stored photo (protocol section 5): any enrolled device may ask, as the same
   * photo may come from several.
   *
   * @throws NotFoundException until the photo is safely in the store
   */
  async receipt(sha256: string): Promise<PhotoReceipt> {
    const photo = await this.photos.findBySha(sha256);
    if (!photo || photo.status !== 'stored' || !photo.storedAt || !photo.storedSha256) {
      throw new NotFoundException('No receipt: this photo is not stored yet');
    }
    return toReceiptDto(photo);
  }

  private async mayBrowse(staff: StaffPrincipal, tripId: string | undefined): Promise<void> {
    if (tripId !== undefined && (await this.photos.tripShortName(tripId)) === undefined) {
      throw new NotFoundException('No such trip');
    }
    if (hasAnyRole(staff, ALL_PHOTOS)) {
      return;
    }
    if (tripId === undefined) {
      throw new ForbiddenException('A trip leader sees the photos of their own trips: name one');
    }
    if (
      !hasAnyRole(staff, ['trip_leader']) ||
      !(await this.photos.isTripLeader(tripId, staff.id))
    ) {
      throw new ForbiddenException(
        'Only the leaders of this trip, ICT and safeguarding see its photos',
      );
    }
  }

  private async mayOpen(staff: StaffPrincipal, sha256: string): Promise<PhotoEntity> {
    const photo = await this.photos.findBySha(sha256);
    if (!photo) {
      throw new NotFoundException('No such photo');
    }
    if (hasAnyRole(staff, ALL_PHOTOS)) {
      return photo;
    }
    if (!photo.tripId || !(await this.photos.isTripLeader(photo.tripId, staff.id))) {
      throw new ForbiddenException(
        'Only the leaders of its trip, ICT and safeguarding see this photo',
      );
    }
    return photo;
  }
}

/** A device's last reported `pendingPhotos` (protocol section 3 `state`), or null. */
export function pendingPhotosOf(reportedState: string | null): number | null {
  if (!reportedState) {
    return null;
  }
  try {
    const value = (JSON.parse(reportedState) as { pendingPhotos?: unknown }).pendingPhotos;
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

/** Whether `file` is a regular file that can be reached now. */
async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() ?? false;
}
