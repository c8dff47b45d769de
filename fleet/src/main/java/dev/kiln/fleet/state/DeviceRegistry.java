package dev.kiln.fleet.state;

import dev.kiln.fleet.rollout.FleetView;
import dev.kiln.fleet.rollout.TargetSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Every device the console knows, in memory, with a dirty flag so the console writes the device
 * file only after a change that matters. Metrics-only changes are not marked dirty: heartbeats come
 * often, and the latest metrics are worth nothing after a restart. Confined to the console's event
 * thread.
 */
public final class DeviceRegistry implements FleetView {
  private final TreeMap<String, DeviceRecord> devices = new TreeMap<>();
  private final Set<String> dirty = new LinkedHashSet<>();

  public DeviceRegistry(Collection<DeviceRecord> loaded) {
    for (DeviceRecord d : loaded) {
      // Whether a device is online is the broker's to say after a restart, not the file's.
      devices.put(d.deviceId(), d.withStatus(false, d.connectedAt(), d.lastSeen(), null));
    }
  }

  public DeviceRecord get(String id) {
    return devices.getOrDefault(id, DeviceRecord.unknown(id));
  }

  public void update(String id, UnaryOperator<DeviceRecord> change, boolean durable) {
    devices.put(id, change.apply(get(id)));
    if (durable) {
      dirty.add(id);
    }
  }

  public List<DeviceRecord> all() {
    return new ArrayList<>(devices.values());
  }

  /**
   * The devices after {@code id} in id order (all of them for null), as a live view: for keyset
   * paging, whose cost does not grow with how deep the page is. Read it on the event thread only.
   */
  public java.util.Collection<DeviceRecord> after(String id) {
    return id == null
        ? java.util.Collections.unmodifiableCollection(devices.values())
        : java.util.Collections.unmodifiableCollection(devices.tailMap(id, false).values());
  }

  public int size() {
    return devices.size();
  }

  /** Whether a durable change happened since {@link #written}. */
  public boolean dirty() {
    return !dirty.isEmpty();
  }

  /** The devices changed durably since {@link #written}: what the next write must carry. */
  public List<DeviceRecord> changed() {
    List<DeviceRecord> out = new ArrayList<>();
    for (String id : dirty) {
      out.add(devices.get(id));
    }
    return out;
  }

  /** The console wrote the changed devices; only call after the write succeeded. */
  public void written() {
    dirty.clear();
  }

  @Override
  public List<String> resolve(TargetSelector t) {
    if (!t.devices().isEmpty()) {
      return t.devices();
    }
    List<String> out = new ArrayList<>();
    for (DeviceRecord d : devices.values()) {
      if (t.all() || d.groups().contains(t.group())) {
        out.add(d.deviceId());
      }
    }
    return out;
  }

  @Override
  public boolean online(String deviceId) {
    return get(deviceId).online();
  }

  @Override
  public String reportedVersion(String deviceId, String slot) {
    return get(deviceId).reported().get(slot);
  }

  @Override
  public Map<String, Double> metrics(String deviceId) {
    return get(deviceId).metrics();
  }

  @Override
  public long metricsAt(String deviceId) {
    return get(deviceId).metricsAt();
  }
}
