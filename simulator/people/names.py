"""Name, place and phone pools for generated residents (Illinois-flavoured, entirely fictional combinations)."""

GIVEN_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret",
    "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kenneth", "Michelle",
    "Kevin", "Carol", "Brian", "Amanda", "Timothy", "Melissa", "Ronald", "Deborah", "Jason", "Stephanie",
    "Jamal", "Aaliyah", "DeShawn", "Imani", "Tyrone", "Keisha", "Wei", "Mei", "Minh", "Linh", "Raj", "Priya",
    "Tomasz", "Katarzyna", "Piotr", "Agnieszka", "Olena", "Dmytro", "Fatima", "Omar", "Aisha", "Yusuf",
)
SPANISH_GIVEN_NAMES = (
    "José", "María", "Juan", "Guadalupe", "Luis", "Rosa", "Carlos", "Carmen", "Jorge", "Ana", "Miguel",
    "Sofía", "Pedro", "Lucía", "Alejandro", "Isabel", "Francisco", "Elena", "Javier", "Gabriela", "Ricardo",
    "Adriana", "Fernando", "Verónica", "Manuel", "Leticia", "Raúl", "Patricia", "Arturo", "Yolanda",
)
FAMILY_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
    "Kowalski", "Nowak", "Wiśniewski", "Nguyen", "Tran", "Kim", "Patel", "Shah", "Chen", "Wang", "Khan",
    "Ali", "Okafor", "Adeyemi", "Washington", "Jefferson", "Brooks", "Bell", "Murphy", "O'Brien", "Sullivan",
)
SPANISH_FAMILY_NAMES = (
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez",
    "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Reyes", "Cruz", "Morales", "Ortiz", "Gutiérrez",
    "Chávez", "Ramos", "Ruiz", "Mendoza", "Castillo", "Jiménez", "Vásquez", "Romero", "Herrera", "Medina",
)
PLACES = (
    ("Chicago", "60608", "312"), ("Chicago", "60623", "773"), ("Chicago", "60629", "773"),
    ("Chicago", "60617", "773"), ("Cicero", "60804", "708"), ("Aurora", "60505", "630"),
    ("Joliet", "60432", "815"), ("Rockford", "61104", "815"), ("Elgin", "60120", "847"),
    ("Waukegan", "60085", "847"), ("Peoria", "61605", "309"), ("Springfield", "62703", "217"),
    ("Champaign", "61820", "217"), ("Decatur", "62521", "217"), ("East St. Louis", "62205", "618"),
    ("Carbondale", "62901", "618"), ("Kankakee", "60901", "815"), ("Danville", "61832", "217"),
    ("Moline", "61265", "309"), ("Bloomington", "61701", "309"),
)
UTILITIES = ("ComEd", "Ameren Illinois", "Nicor Gas", "Peoples Gas", "MidAmerican Energy")
CHILD_CARE_PROVIDERS = (
    "Little Stars Learning Center", "Sunrise Child Development", "Bright Beginnings Day Care",
    "Casa de Niños", "Prairie Kids Academy", "Home provider (license-exempt relative)",
)
MEDICAID_PLANS = (
    ("ACA-ADULT", "HC-MCO-BLUE"), ("ACA-ADULT", "HC-MCO-MERIDIAN"), ("FHP", "HC-MCO-MOLINA"),
    ("ALLKIDS", "HC-MCO-COUNTYCARE"), ("AABD", "HC-MCO-AETNA"), ("FHP", "HC-FFS"),
)
