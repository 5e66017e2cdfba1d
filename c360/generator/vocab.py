"""Built-in word lists, so the generator needs no download and no faker dependency.

Weights make some names common (Smith, John) so that distinct people naturally share
names, which is exactly the kind of hard negative identity resolution must survive.
"""
from __future__ import annotations

# (name, weight): common names carry higher weights to create natural collisions.
FIRST_NAMES: list[tuple[str, int]] = [
    ("James", 30), ("John", 30), ("Robert", 25), ("Michael", 28), ("William", 22), ("David", 25),
    ("Richard", 14), ("Joseph", 14), ("Thomas", 16), ("Christopher", 14), ("Charles", 10), ("Daniel", 16),
    ("Matthew", 12), ("Anthony", 10), ("Mark", 10), ("Steven", 8), ("Stephen", 6), ("Andrew", 10),
    ("Joshua", 8), ("Kenneth", 5), ("Timothy", 6), ("Jonathan", 6), ("Edward", 6), ("Ronald", 4),
    ("Gregory", 5), ("Alexander", 8), ("Nicholas", 7), ("Benjamin", 8), ("Samuel", 7), ("Patrick", 5),
    ("Mary", 25), ("Patricia", 12), ("Jennifer", 20), ("Linda", 10), ("Elizabeth", 16), ("Barbara", 8),
    ("Susan", 10), ("Jessica", 12), ("Sarah", 16), ("Karen", 8), ("Nancy", 6), ("Margaret", 7),
    ("Katherine", 8), ("Catherine", 5), ("Christine", 5), ("Deborah", 5), ("Rebecca", 7), ("Victoria", 6),
    ("Emily", 10), ("Emma", 8), ("Olivia", 8), ("Sophia", 6), ("Laura", 6), ("Anna", 6), ("Hannah", 5),
    ("Rachel", 5), ("Megan", 5), ("Amanda", 6), ("Michelle", 6), ("Lisa", 7), ("Ashley", 6),
    ("José", 6), ("María", 6), ("Sofía", 3), ("Lucía", 3), ("Andrés", 3), ("Martín", 3), ("Ramón", 2),
    ("Zoë", 2), ("Chloé", 2), ("Renée", 2), ("Noémie", 1), ("Hélène", 2), ("Agnès", 1), ("Anaïs", 1),
    ("François", 2), ("Jérôme", 1), ("Benoît", 1), ("Noël", 1), ("Jürgen", 1), ("Björn", 1), ("Søren", 1),
    ("Åsa", 1), ("Øystein", 1), ("Łukasz", 1), ("Zoltán", 1), ("Siobhán", 1), ("Seán", 1), ("Inés", 2),
    ("Mateo", 3), ("Diego", 3), ("Carlos", 4), ("Alejandro", 3), ("Francisco", 3), ("Priya", 3),
    ("Arjun", 3), ("Rahul", 3), ("Ananya", 2), ("Wei", 3), ("Mei", 2), ("Hiroshi", 2), ("Yuki", 2),
    ("Min-jun", 2), ("Ji-woo", 2), ("Fatima", 2), ("Omar", 3), ("Aisha", 2), ("Kwame", 1), ("Chidi", 1),
    ("Liam", 6), ("Noah", 6), ("Ethan", 5), ("Lucas", 5), ("Mason", 4), ("Ava", 5), ("Mia", 5),
    ("Isabella", 5), ("Grace", 4), ("Chloe", 4), ("Nora", 3), ("Ellie", 3), ("Claire", 3), ("Julia", 4),
    ("Peter", 6), ("Paul", 7),
    ("Nathan", 2), ("Tyler", 2), ("Zachary", 2), ("Dylan", 2), ("Jordan", 2), ("Caleb", 2), ("Logan", 2), ("Gabriel", 2), ("Isaac", 2), ("Owen", 2), ("Elijah", 2), ("Hunter", 2), ("Connor", 2), ("Evan", 2), ("Luke", 2), ("Ian", 2), ("Dominic", 2), ("Colin", 2), ("Marcus", 2), ("Vincent", 2), ("Trevor", 2), ("Derek", 2), ("Wesley", 2), ("Spencer", 2), ("Miles", 2), ("Felix", 2), ("Hugo", 2), ("Theo", 2), ("Leo", 2), ("Max", 2), ("Abigail", 2), ("Madison", 2), ("Natalie", 2), ("Brooke", 2), ("Samantha", 2), ("Alexis", 2), ("Lauren", 2), ("Kayla", 2), ("Morgan", 2), ("Taylor", 2), ("Sydney", 2), ("Paige", 2), ("Vanessa", 2), ("Caroline", 2), ("Audrey", 2), ("Stella", 2), ("Lily", 2), ("Violet", 2), ("Hazel", 2), ("Ruby", 2), ("Naomi", 2), ("Leah", 2), ("Sara", 2), ("Ingrid", 2), ("Astrid", 2), ("Freya", 2), ("Elena", 2), ("Valentina", 2), ("Camila", 2), ("Gabriela", 2), ("Daniela", 2), ("Paula", 2), ("Marta", 2), ("Carmen", 2), ("Pilar", 2), ("Rocío", 2), ("Íñigo", 2), ("Joaquín", 2), ("Sebastián", 2), ("Tomás", 2), ("Nicolás", 2), ("Matías", 2), ("Rubén", 2), ("Raúl", 2), ("Jesús", 2), ("Ángel", 2), ("Óscar", 2), ("Adrián", 2), ("Iván", 2), ("Gaël", 2), ("Loïc", 2), ("Maëlle", 2), ("Léa", 2), ("Océane", 2), ("Clémence", 2), ("Théo", 2), ("Mathéo", 2), ("Jörg", 2), ("Uwe", 2), ("Lena", 2), ("Katrin", 2), ("Tobias", 2), ("Niklas", 2), ("Sven", 2), ("Lars", 2), ("Nils", 2), ("Magnus", 2), ("Ayşe", 2), ("Emre", 2), ("Deniz", 2), ("Ravi", 2), ("Vikram", 2), ("Sanjay", 2), ("Deepa", 2), ("Neha", 2), ("Kavya", 2), ("Haruto", 2), ("Sakura", 2), ("Ren", 2), ("Jin", 2), ("Xiu", 2), ("Yan", 2), ("Tariq", 2), ("Yusuf", 2), ("Layla", 2), ("Zainab", 2), ("Amara", 2), ("Kofi", 2), ("Ngozi", 2), ("George", 6), ("Henry", 5), ("Jack", 6), ("Oliver", 5), ("Ryan", 6),
    ("Kevin", 7), ("Brian", 7), ("Eric", 6), ("Scott", 5), ("Justin", 4), ("Aaron", 4), ("Adam", 5),
]

LAST_NAMES: list[tuple[str, int]] = [
    ("Smith", 40), ("Johnson", 32), ("Williams", 28), ("Brown", 26), ("Jones", 26), ("Garcia", 20),
    ("Miller", 20), ("Davis", 20), ("Rodriguez", 16), ("Martinez", 16), ("Hernandez", 14), ("Lopez", 12),
    ("Gonzalez", 12), ("Wilson", 14), ("Anderson", 14), ("Thomas", 12), ("Taylor", 14), ("Moore", 12),
    ("Jackson", 12), ("Martin", 12), ("Lee", 14), ("Perez", 8), ("Thompson", 12), ("White", 12),
    ("Harris", 10), ("Sanchez", 8), ("Clark", 10), ("Ramirez", 8), ("Lewis", 10), ("Robinson", 10),
    ("Walker", 10), ("Young", 8), ("Allen", 8), ("King", 8), ("Wright", 8), ("Scott", 8), ("Torres", 6),
    ("Nguyen", 10), ("Hill", 8), ("Flores", 6), ("Green", 8), ("Adams", 8), ("Nelson", 6), ("Baker", 8),
    ("Hall", 6), ("Rivera", 6), ("Campbell", 6), ("Mitchell", 6), ("Carter", 6), ("Roberts", 6),
    ("Phillips", 5), ("Evans", 5), ("Turner", 5), ("Parker", 5), ("Collins", 5), ("Edwards", 5),
    ("Stewart", 5), ("Morris", 5), ("Murphy", 5), ("Cook", 5), ("Rogers", 5), ("Morgan", 5), ("Cooper", 5),
    ("Peterson", 4), ("Reed", 4), ("Bailey", 4), ("Bell", 4), ("Kelly", 4), ("Howard", 4), ("Ward", 4),
    ("Cox", 3), ("Richardson", 4), ("Wood", 4), ("Watson", 4), ("Brooks", 4), ("Bennett", 4), ("Gray", 4),
    ("James", 3), ("Reyes", 4), ("Cruz", 4), ("Hughes", 4), ("Price", 3), ("Myers", 3), ("Long", 3),
    ("Foster", 3), ("Sanders", 3), ("Ross", 3), ("Morales", 3), ("Powell", 3), ("Sullivan", 3),
    ("O'Brien", 3), ("O'Connor", 3), ("McDonald", 3), ("MacLeod", 2), ("Fitzgerald", 2), ("Van der Berg", 2),
    ("De la Cruz", 2), ("Smith-Jones", 1), ("García", 4), ("Núñez", 3), ("Pérez", 3), ("Gómez", 3),
    ("Fernández", 3), ("Muñoz", 2), ("Jiménez", 2), ("Álvarez", 2), ("Müller", 4), ("Schäfer", 2),
    ("Schröder", 2), ("Köhler", 2), ("Weiß", 1), ("Lefèvre", 2), ("Dubois", 3), ("Lefebvre", 2),
    ("Bérubé", 1), ("Gauthier", 2), ("Søndergaard", 1), ("Ødegaard", 1), ("Åberg", 1), ("Kowalski", 3),
    ("Wiśniewski", 1), ("Dvořák", 1), ("Novák", 2), ("Horváth", 2), ("Öztürk", 2), ("Yılmaz", 2),
    ("Rossi", 3), ("Bianchi", 2), ("Esposito", 2), ("Costa", 2), ("Silva", 4), ("Santos", 3),
    ("Oliveira", 2), ("Kim", 6), ("Park", 5), ("Chen", 6), ("Wang", 6), ("Li", 5), ("Zhang", 5), ("Liu", 4),
    ("Tanaka", 3), ("Sato", 3), ("Suzuki", 3), ("Patel", 8), ("Shah", 4), ("Singh", 6), ("Kumar", 5),
    ("Gupta", 4), ("Khan", 4), ("Ali", 4), ("Okafor", 2), ("Mensah", 2), ("Cohen", 3), ("Levi", 2),
    ("Brennan", 2), ("Gallagher", 2), ("Doyle", 2), ("Walsh", 2), ("Byrne", 2), ("Quinn", 2), ("Nolan", 2), ("Keane", 2), ("Hayes", 2), ("Barnes", 2), ("Fisher", 2), ("Henderson", 2), ("Coleman", 2), ("Jenkins", 2), ("Perry", 2), ("Russell", 2), ("Griffin", 2), ("Hamilton", 2), ("Graham", 2), ("Wallace", 2), ("Woods", 2), ("Cole", 2), ("West", 2), ("Jordan", 2), ("Owens", 2), ("Reynolds", 2), ("Ellis", 2), ("Harrison", 2), ("Gibson", 2), ("Marshall", 2), ("Tucker", 2), ("Porter", 2), ("Hunter", 2), ("Hicks", 2), ("Crawford", 2), ("Henry", 2), ("Boyd", 2), ("Mason", 2), ("Kennedy", 2), ("Warren", 2), ("Dixon", 2), ("Burns", 2), ("Gordon", 2), ("Shaw", 2), ("Holmes", 2), ("Rice", 2), ("Robertson", 2), ("Hunt", 2), ("Black", 2), ("Daniels", 2), ("Palmer", 2), ("Mills", 2), ("Nichols", 2), ("Grant", 2), ("Knight", 2), ("Ferguson", 2), ("Stone", 2), ("Hawkins", 2), ("Dunn", 2), ("Perkins", 2), ("Spencer", 2), ("Gardner", 2), ("Stephens", 2), ("Payne", 2), ("Pierce", 2), ("Berry", 2), ("Matthews", 2), ("Arnold", 2), ("Wagner", 2), ("Willis", 2), ("Ray", 2), ("Watkins", 2), ("Olson", 2), ("Carroll", 2), ("Duncan", 2), ("Snyder", 2), ("Hart", 2), ("Cunningham", 2), ("Bradley", 2), ("Lane", 2), ("Andrews", 2), ("Ruiz", 2), ("Harper", 2), ("Fox", 2), ("Riley", 2), ("Armstrong", 2), ("Carpenter", 2), ("Weaver", 2), ("Greene", 2), ("Lawrence", 2), ("Elliott", 2), ("Chavez", 2), ("Sims", 2), ("Austin", 2), ("Peters", 2), ("Kelley", 2), ("Franklin", 2), ("Lawson", 2), ("Fields", 2), ("Ríos", 2), ("Vázquez", 2), ("Castillo", 2), ("Ortega", 2), ("Delgado", 2), ("Navarro", 2), ("Domínguez", 2), ("Romero", 2), ("Herrera", 2), ("Medina", 2), ("Aguilar", 2), ("Vargas", 2), ("Guzmán", 2), ("Mendoza", 2), ("Becker", 2), ("Hoffmann", 2), ("Schulz", 2), ("Koch", 2), ("Richter", 2), ("Klein", 2), ("Wolf", 2), ("Neumann", 2), ("Schwarz", 2), ("Zimmermann", 2), ("Krüger", 2), ("Hartmann", 2), ("Lange", 2), ("Werner", 2), ("Krause", 2), ("Meier", 2), ("Lehmann", 2), ("Fournier", 2), ("Girard", 2), ("Bonnet", 2), ("Dupont", 2), ("Lambert", 2), ("Fontaine", 2), ("Rousseau", 2), ("Vincent", 2), ("Mercier", 2), ("Blanc", 2), ("Guérin", 2), ("Boyer", 2), ("Chevalier", 2), ("Morel", 2), ("Lindqvist", 2), ("Johansson", 2), ("Nilsson", 2), ("Larsen", 2), ("Hansen", 2), ("Jensen", 2), ("Virtanen", 2), ("Nowak", 2), ("Lewandowski", 2), ("Kamiński", 2), ("Zieliński", 2), ("Horvat", 2), ("Popescu", 2), ("Ivanov", 2), ("Petrov", 2), ("Papadopoulos", 2), ("Demir", 2), ("Çelik", 2), ("Reddy", 2), ("Iyer", 2), ("Nair", 2), ("Das", 2), ("Chowdhury", 2), ("Malik", 2), ("Hussain", 2), ("Yamamoto", 2), ("Nakamura", 2), ("Kobayashi", 2), ("Watanabe", 2), ("Huang", 2), ("Zhao", 2), ("Wu", 2), ("Zhou", 2), ("Xu", 2), ("Sun", 2), ("Ma", 2), ("Choi", 2), ("Jung", 2), ("Kang", 2), ("Cho", 2), ("Yoon", 2), ("Tran", 2), ("Le", 2), ("Pham", 2), ("Hoang", 2), ("Adeyemi", 2), ("Okonkwo", 2), ("Abubakar", 2), ("Boateng", 2), ("Asante", 2), ("Haddad", 2), ("Nasser", 2), ("Friedman", 2), ("Katz", 2), ("Shapiro", 2),
]

# Formal name -> nicknames a CRM user or the person themself might type instead.
NICKNAMES: dict[str, list[str]] = {
    "Robert": ["Bob", "Rob", "Bobby"], "William": ["Bill", "Will", "Billy"], "Katherine": ["Kate", "Katie", "Kathy"],
    "Catherine": ["Cathy", "Cat"], "Elizabeth": ["Liz", "Beth", "Betsy"], "James": ["Jim", "Jimmy", "Jamie"],
    "Michael": ["Mike", "Mikey"], "Richard": ["Rick", "Rich", "Dick"], "Jennifer": ["Jen", "Jenny"],
    "Margaret": ["Maggie", "Peggy", "Meg"], "Thomas": ["Tom", "Tommy"], "Christopher": ["Chris", "Topher"],
    "Daniel": ["Dan", "Danny"], "Matthew": ["Matt"], "Anthony": ["Tony"], "Joseph": ["Joe", "Joey"],
    "Charles": ["Charlie", "Chuck"], "Edward": ["Ed", "Ted", "Eddie"], "Patricia": ["Pat", "Trish", "Patty"],
    "Susan": ["Sue", "Susie"], "Deborah": ["Deb", "Debbie"], "Alexander": ["Alex", "Xander"],
    "Nicholas": ["Nick"], "Benjamin": ["Ben"], "Samuel": ["Sam"], "Jonathan": ["Jon"], "Stephen": ["Steve"],
    "Steven": ["Steve"], "Andrew": ["Andy", "Drew"], "Rebecca": ["Becky", "Becca"], "Victoria": ["Vicky", "Tori"],
    "Christine": ["Chris", "Chrissy"], "Jessica": ["Jess", "Jessie"], "Timothy": ["Tim"], "Gregory": ["Greg"],
    "Kenneth": ["Ken", "Kenny"], "Ronald": ["Ron", "Ronnie"], "Joshua": ["Josh"], "Patrick": ["Pat"],
    "Francisco": ["Paco", "Frank"], "José": ["Pepe"], "Alejandro": ["Alex"], "Samantha": ["Sam"],
    "Emily": ["Em"], "Olivia": ["Liv"], "Isabella": ["Bella", "Izzy"], "Sophia": ["Sophie"],
    "Hannah": ["Anna"], "Amanda": ["Mandy"], "Michelle": ["Shelly"], "Ashley": ["Ash"], "Zoltán": ["Zoli"],
    "Henry": ["Hank"], "Peter": ["Pete"], "Benoît": ["Ben"], "Łukasz": ["Luke"], "Barbara": ["Barb"],
}

EMAIL_PERSONAL_DOMAINS: list[tuple[str, int]] = [
    ("gmail.com", 40), ("yahoo.com", 12), ("outlook.com", 10), ("hotmail.com", 8), ("icloud.com", 8),
    ("aol.com", 3), ("proton.me", 3), ("gmx.de", 2), ("web.de", 1), ("orange.fr", 1), ("fastmail.com", 2),
]

STREET_NAMES = [
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset",
    "Lincoln", "Highland", "Jefferson", "Madison", "Franklin", "Church", "Spring", "River", "Forest",
    "Mill", "Valley", "Willow", "Chestnut", "Walnut", "Adams", "Center", "Broad", "Market", "Union",
    "Mission", "Valencia", "Castro", "Dolores", "Howard", "Folsom", "Grant", "Hawthorne", "Magnolia",
]
STREET_SUFFIXES = ["St", "Ave", "Blvd", "Rd", "Ln", "Dr", "Ct", "Way", "Pl", "Terrace"]

# (city, state, three-digit ZIP prefix, phone area codes)
CITIES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("San Francisco", "CA", "941", ("415", "628")), ("Oakland", "CA", "946", ("510",)),
    ("San Jose", "CA", "951", ("408", "669")), ("Los Angeles", "CA", "900", ("213", "310", "323")),
    ("San Diego", "CA", "921", ("619", "858")), ("Seattle", "WA", "981", ("206",)),
    ("Portland", "OR", "972", ("503", "971")), ("Denver", "CO", "802", ("303", "720")),
    ("Austin", "TX", "787", ("512", "737")), ("Dallas", "TX", "752", ("214", "469", "972")),
    ("Houston", "TX", "770", ("713", "832")), ("Chicago", "IL", "606", ("312", "773")),
    ("Minneapolis", "MN", "554", ("612",)), ("Boston", "MA", "021", ("617", "857")),
    ("Cambridge", "MA", "021", ("617",)), ("New York", "NY", "100", ("212", "646", "917")),
    ("Brooklyn", "NY", "112", ("718", "347")), ("Philadelphia", "PA", "191", ("215", "267")),
    ("Pittsburgh", "PA", "152", ("412",)), ("Washington", "DC", "200", ("202",)),
    ("Atlanta", "GA", "303", ("404", "470")), ("Miami", "FL", "331", ("305", "786")),
    ("Orlando", "FL", "328", ("407",)), ("Nashville", "TN", "372", ("615",)),
    ("Raleigh", "NC", "276", ("919",)), ("Charlotte", "NC", "282", ("704", "980")),
    ("Columbus", "OH", "432", ("614",)), ("Detroit", "MI", "482", ("313",)),
    ("Phoenix", "AZ", "850", ("602", "480")), ("Salt Lake City", "UT", "841", ("801",)),
    ("Kansas City", "MO", "641", ("816",)), ("St. Louis", "MO", "631", ("314",)),
    ("Madison", "WI", "537", ("608",)), ("Boulder", "CO", "803", ("720",)),
]

JOB_TITLES = [
    "Marketing Manager", "VP Marketing", "Head of Growth", "Data Engineer", "Analytics Engineer",
    "Data Analyst", "CTO", "CEO", "Founder", "Product Manager", "Director of Sales", "Account Executive",
    "Software Engineer", "Head of Data", "CMO", "Operations Manager", "Customer Success Manager",
    "Growth Marketer", "Marketing Ops Specialist", "CRM Manager", "Engineering Manager", "COO",
]

COMPANY_WORDS_A = [
    "Blue", "Bright", "Silver", "North", "Green", "Swift", "Clear", "Summit", "Prime", "Red", "Iron",
    "Golden", "Quantum", "Urban", "Pacific", "Atlas", "Nova", "Cobalt", "Crimson", "Lunar", "Solar",
    "Cedar", "Harbor", "Vertex", "Orbit", "Pioneer", "Evergreen", "Granite", "Beacon", "Maple",
]
COMPANY_WORDS_B = [
    "Labs", "Analytics", "Systems", "Works", "Dynamics", "Logistics", "Health", "Foods", "Retail",
    "Software", "Media", "Capital", "Studio", "Networks", "Robotics", "Energy", "Goods", "Outfitters",
    "Partners", "Cloud", "Data", "Commerce", "Bio", "Mobility", "Learning", "Travel", "Designs",
]
COMPANY_SUFFIXES = ["Inc.", "LLC", "Corp.", "Co.", "Ltd.", "GmbH", ""]
INDUSTRIES = [
    "COMPUTER_SOFTWARE", "RETAIL", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "MARKETING_AND_ADVERTISING",
    "INFORMATION_TECHNOLOGY_AND_SERVICES", "LOGISTICS_AND_SUPPLY_CHAIN", "FOOD_BEVERAGES", "E_LEARNING",
    "CONSUMER_GOODS", "INTERNET", "TELECOMMUNICATIONS",
]
COMPANY_COUNTRIES: list[tuple[str, int]] = [
    ("United States", 80), ("Canada", 6), ("United Kingdom", 6), ("Germany", 4), ("France", 2), ("Spain", 2),
]
FOREIGN_CITIES: dict[str, list[str]] = {
    "Canada": ["Toronto", "Vancouver", "Montréal"], "United Kingdom": ["London", "Manchester", "Edinburgh"],
    "Germany": ["Berlin", "München", "Köln"], "France": ["Paris", "Lyon"], "Spain": ["Madrid", "Barcelona"],
}

OWNERS = ["Dana Whitfield", "Marcus Lee", "Priya Raman", "Tom Becker", "Sofia Alvarez", "Greg Howell"]
LIFECYCLE_STAGES: list[tuple[str, int]] = [
    ("subscriber", 20), ("lead", 30), ("marketingqualifiedlead", 15), ("salesqualifiedlead", 10),
    ("opportunity", 8), ("customer", 14), ("evangelist", 2), ("other", 1),
]
DEAL_STAGES: list[tuple[str, int]] = [
    ("appointmentscheduled", 12), ("qualifiedtobuy", 12), ("presentationscheduled", 10),
    ("decisionmakerboughtin", 8), ("contractsent", 8), ("closedwon", 25), ("closedlost", 25),
]
DEAL_PRODUCTS = ["Starter plan", "Growth plan", "Enterprise plan", "Annual renewal", "Expansion", "Onboarding services"]
ACTIVITY_SUBJECTS: dict[str, list[str]] = {
    "CALL": ["Discovery call", "Follow-up call", "Pricing discussion", "Renewal check-in", "Left voicemail"],
    "MEETING": ["Product demo", "Kickoff meeting", "Quarterly business review", "Technical deep dive"],
    "NOTE": ["Interested in identity resolution", "Budget approved for Q4", "Evaluating competitors",
             "Asked about SSO", "Champion changed roles"],
    "EMAIL": ["Re: Proposal", "Intro and next steps", "Contract draft", "Re: Pricing questions", "Case studies"],
    "TASK": ["Send proposal", "Schedule demo", "Prepare contract", "Follow up in two weeks", "Update deal amount"],
}

# Web site vocabulary.
SITE = "https://www.northwindcloud.com"
PAGES: dict[str, str] = {
    "/": "Northwind Cloud - Customer data, unified", "/pricing": "Pricing - Northwind Cloud",
    "/features": "Features - Northwind Cloud", "/features/segments": "Audience segments - Northwind Cloud",
    "/features/integrations": "Integrations - Northwind Cloud", "/docs": "Documentation - Northwind Cloud",
    "/docs/getting-started": "Getting started - Northwind Cloud Docs", "/docs/api": "API reference - Northwind Cloud Docs",
    "/blog": "Blog - Northwind Cloud", "/blog/identity-resolution-101": "Identity resolution 101",
    "/blog/warehouse-native-cdp": "Why warehouse-native CDPs win", "/blog/customer-360-checklist": "A customer 360 checklist",
    "/blog/email-engagement-benchmarks": "Email engagement benchmarks 2026", "/customers": "Customers - Northwind Cloud",
    "/signup": "Sign up - Northwind Cloud", "/login": "Log in - Northwind Cloud", "/checkout": "Checkout - Northwind Cloud",
    "/account": "Your account - Northwind Cloud", "/contact-sales": "Contact sales - Northwind Cloud",
}
BROWSE_PATHS: list[tuple[str, int]] = [
    ("/", 20), ("/pricing", 12), ("/features", 10), ("/features/segments", 5), ("/features/integrations", 5),
    ("/docs", 6), ("/docs/getting-started", 5), ("/docs/api", 3), ("/blog", 4), ("/blog/identity-resolution-101", 4),
    ("/blog/warehouse-native-cdp", 3), ("/blog/customer-360-checklist", 3), ("/blog/email-engagement-benchmarks", 2),
    ("/customers", 3), ("/contact-sales", 2),
]
# (product id, name, price in USD) shown on /products/<id> pages.
PRODUCTS: list[tuple[str, str, float]] = [
    ("starter-monthly", "Starter (monthly)", 49.0), ("growth-monthly", "Growth (monthly)", 199.0),
    ("growth-annual", "Growth (annual)", 1990.0), ("addon-identity", "Identity add-on", 99.0),
    ("addon-reverse-etl", "Reverse ETL add-on", 149.0), ("enterprise-annual", "Enterprise (annual)", 12000.0),
]
REFERRERS: list[tuple[str, int]] = [
    ("", 30), ("https://www.google.com/", 35), ("https://www.bing.com/", 5), ("https://duckduckgo.com/", 4),
    ("https://www.linkedin.com/", 8), ("https://t.co/", 4), ("https://news.ycombinator.com/", 3),
    ("https://www.reddit.com/", 3), ("https://github.com/", 4),
]
# (source, medium, campaign, term, content) for paid / partner sessions.
UTM_CAMPAIGNS: list[tuple[str, str, str, str, str]] = [
    ("google", "cpc", "brand-search", "northwind cloud", "ad-1"), ("google", "cpc", "cdp-generic", "customer data platform", "ad-3"),
    ("linkedin", "paid_social", "fall-launch", "", "carousel-a"), ("facebook", "paid_social", "retargeting-q3", "", "video-15s"),
    ("partner", "referral", "dbt-meetup", "", ""), ("g2", "review", "g2-profile", "", ""),
]
USER_AGENTS_DESKTOP = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
]
USER_AGENTS_MOBILE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
]

# (name, subject, audience share) for the email tool's campaigns; the first goes to every subscriber.
CAMPAIGNS: list[tuple[str, str, float]] = [
    ("September Newsletter", "What's new at Northwind Cloud this month", 1.0),
    ("Fall Product Launch", "Introducing identity resolution for everyone", 0.85),
    ("Webinar Invite: Customer 360", "Join us: building a customer 360 in your warehouse", 0.6),
    ("Pricing Update", "Simpler pricing, starting today", 0.9),
    ("Customer Stories", "How teams unify customer data with Northwind", 0.7),
    ("Last Chance: Annual Discount", "20% off annual plans ends Friday", 0.75),
]
CAMPAIGN_LINK_PATHS = ["/pricing", "/features", "/blog/identity-resolution-101", "/features/segments", "/customers", "/pricing"]
