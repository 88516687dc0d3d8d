/**
 * The emulator's users: a deterministic seeded set (so examples and demos show real-looking data) plus users
 * created on demand when a token is minted for an unknown id.
 */
import { systemClock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';

/** A user as `GET /helix/users` returns it (without `email`, which is added per request). */
export interface EmuUser {
  readonly id: string;
  readonly login: string;
  readonly display_name: string;
  readonly type: '' | 'admin' | 'global_mod' | 'staff';
  readonly broadcaster_type: '' | 'affiliate' | 'partner';
  readonly description: string;
  readonly profile_image_url: string;
  readonly offline_image_url: string;
  readonly view_count: number;
  readonly created_at: string;
  /** Only returned to the user's own token with `user:read:email`. */
  readonly email: string;
}

/** Twitch user ids are numeric strings; the emulator accepts 1..20 digits. */
const USER_ID = /^[0-9]{1,20}$/;
/** Twitch logins: 1..25 lowercase letters, digits or underscores (4 is the real minimum for new accounts). */
const LOGIN = /^[a-z0-9_]{1,25}$/;

// Display names of the seeded users (login = lower case). Fictional, realistic-looking channels.
const SEED_NAMES = [
  'PixelPanda',
  'NightOwlTV',
  'CozyCoder',
  'SpeedrunSam',
  'LunaPlays',
  'RetroRaccoon',
  'ChefMarco',
  'ArcticFoxGG',
  'DJ_Ember',
  'MossyKnight',
  'TurboTanuki',
  'QuietQuasar',
  'BlueHeron',
  'CaptainCrumb',
  'SableStreams',
  'NovaTheBard',
  'GrumpyGolem',
  'WillowWisp',
  'IronIvy',
  'PaperPilot',
  'KoiKingdom',
  'StaticSparrow',
  'MapleMage',
  'JunoJams',
  'ByteBandit',
  'HollowHarbor',
  'SunnySideUp',
  'VelvetViper',
  'FrostByteFred',
  'OrbitOtter',
  'CinderCat',
  'PlumPudding',
  'EchoEcho',
  'TinyTitan',
  'WanderingWren',
  'GlitchGoblin',
  'MidnightMoth',
  'AmberAlchemist',
  'RustyRobot',
  'CloudCartographer',
  'ZenZebra',
  'BrassBeetle',
  'ThunderTurnip',
  'PolarPixel',
  'OakenShield',
  'SaltySailor',
  'NeonNarwhal',
  'QuillAndQuest',
  'HarborHound',
  'CrystalCanyon',
] as const;

const DESCRIPTIONS = [
  'Variety streamer. Chill vibes, bad puns.',
  'Speedruns, routing and way too many resets.',
  'Building things live: code, music and coffee.',
  'Cozy games and good company every evening.',
  '',
];

function seedUser(name: string, index: number): EmuUser {
  const login = name.toLowerCase();
  // Deterministic, realistic-looking ids (8–9 digits) and creation dates between 2011 and 2024.
  const id = String(41_245_072 + index * 7_919_111);
  const created = new Date(
    Date.UTC(2011 + (index % 14), (index * 5) % 12, 1 + ((index * 7) % 28), 17, index, 3),
  );
  const broadcasterType = index % 7 === 0 ? 'partner' : index % 3 === 0 ? '' : 'affiliate';
  return {
    id,
    login,
    display_name: name,
    type: index === 49 ? 'staff' : '',
    broadcaster_type: broadcasterType,
    description: DESCRIPTIONS[index % DESCRIPTIONS.length] ?? '',
    profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${login}-profile_image-300x300.png`,
    offline_image_url:
      index % 2 === 0
        ? `https://static-cdn.jtvnw.net/jtv_user_pictures/${login}-channel_offline_image-1920x1080.png`
        : '',
    view_count: 0,
    created_at: created.toISOString().replace('.000Z', 'Z'),
    email: `${login}@example.com`,
  };
}

/** Options of {@link UserStore}. */
export interface UserStoreOptions {
  /** Most users the store will hold (seeded + created on demand). Default 100,000. */
  readonly maxUsers?: number;
  /** Clock used for `created_at` of on-demand users (ms since epoch). */
  readonly now?: () => number;
}

/**
 * Users by id and by login. Seeded with 50 users; more are created on demand, up to `maxUsers`.
 *
 * @example
 * ```ts
 * const users = new UserStore();
 * users.ensure('12345').login; // 'user12345'
 * ```
 */
export class UserStore {
  readonly #byId = new Map<string, EmuUser>();
  readonly #byLogin = new Map<string, EmuUser>();
  readonly #maxUsers: number;
  readonly #now: () => number;

  constructor(options: UserStoreOptions = {}) {
    this.#maxUsers = options.maxUsers ?? 100_000;
    this.#now = options.now ?? ((): number => systemClock.now());
    SEED_NAMES.forEach((name, i) => {
      this.#add(seedUser(name, i));
    });
  }

  /** Number of users. */
  get size(): number {
    return this.#byId.size;
  }

  /** The first seeded user (default user of `/oauth2/authorize`). */
  get defaultUser(): EmuUser {
    const first = this.#byId.values().next().value;
    if (first === undefined) throw new Error('user store is empty');
    return first;
  }

  byId(id: string): EmuUser | undefined {
    return this.#byId.get(id);
  }

  byLogin(login: string): EmuUser | undefined {
    return this.#byLogin.get(login.toLowerCase());
  }

  /** Every user, in creation order. */
  values(): IterableIterator<EmuUser> {
    return this.#byId.values();
  }

  /**
   * Returns the user with this id, creating it (login `user<id>` unless `login` is given) when unknown.
   *
   * @throws InvalidArgumentError (`field` `user_id` or `login`) on a malformed id or login, a login taken by
   *   another user, or when the store is full.
   */
  ensure(id: string, login?: string): EmuUser {
    if (!USER_ID.test(id))
      throw new InvalidArgumentError('user_id must be a numeric string (1-20 digits)', 'user_id');
    const existing = this.#byId.get(id);
    if (existing !== undefined) {
      if (login !== undefined && login.toLowerCase() !== existing.login) {
        throw new InvalidArgumentError(`user ${id} already exists with another login`, 'login');
      }
      return existing;
    }
    const name = login ?? `user${id}`;
    const lower = name.toLowerCase();
    if (!LOGIN.test(lower)) {
      throw new InvalidArgumentError('login must be 1-25 letters, digits or underscores', 'login');
    }
    if (this.#byLogin.has(lower)) throw new InvalidArgumentError(`login ${lower} is taken`, 'login');
    if (this.#byId.size >= this.#maxUsers) {
      throw new InvalidArgumentError(`the emulator holds at most ${this.#maxUsers} users`, 'user_id');
    }
    const user: EmuUser = {
      id,
      login: lower,
      display_name: name,
      type: '',
      broadcaster_type: '',
      description: '',
      profile_image_url: 'https://static-cdn.jtvnw.net/user-default-pictures-uv/user-default-300x300.png',
      offline_image_url: '',
      view_count: 0,
      created_at: new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      email: `${lower}@example.com`,
    };
    this.#add(user);
    return user;
  }

  #add(user: EmuUser): void {
    this.#byId.set(user.id, user);
    this.#byLogin.set(user.login, user);
  }
}
